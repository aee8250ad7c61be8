"""Use cases: plain values and the acting user in, records out; each owns its transaction."""

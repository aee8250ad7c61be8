"""Checking a redacted audit export: SHA-256 resumed from a published intermediate state.

Standard library only and no cxgov import, so an auditor can copy this one file and run
``python audit_proof.py cxgov-audit.jsonl [recorded-head-hash]``.

An event's ``hash`` is SHA-256 of its whole canonical ``payload``.  When a reader may not see
part of the payload, the export gives instead of it ``proof``: the SHA-256 state after the
hidden prefix (``state``: the eight 32-bit words, hex; ``length``: how many bytes it covers, a
multiple of 64) and the rest of the bytes as text (``suffix``).  Finishing SHA-256 from that
state over the suffix gives the event's hash, and the suffix ends with the hashed
``"prev_hash"``, ``"request_id"`` and ``"seq"`` members (keys late in canonical order, after
anything hidden), so every link of the chain checks without the hidden bytes.  Forging a prefix that reaches the
same state is as hard as breaking SHA-256's compression function.
"""
import hashlib
import json
import re
import struct
import sys

GENESIS = "0" * 64
_K = (
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
)
_INITIAL = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
_M = 0xFFFFFFFF


def _rotr(x, n):
    return ((x >> n) | (x << (32 - n))) & _M


def _compress(state, block):
    """FIPS 180-4 §6.2.2: one 64-byte block into the eight-word state."""
    w = list(struct.unpack(">16I", block))
    for t in range(16, 64):
        s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & _M)
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        t1 = (h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g)) + _K[t] + w[t]) & _M
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & _M
        a, b, c, d, e, f, g, h = (t1 + t2) & _M, a, b, c, (d + t1) & _M, e, f, g
    return tuple((x + y) & _M for x, y in zip(state, (a, b, c, d, e, f, g, h)))


def _run(state, data):
    for start in range(0, len(data), 64):
        state = _compress(state, data[start:start + 64])
    return state


def prefix_state(prefix):
    """The SHA-256 state (hex) after ``prefix``, whose length must be a multiple of 64."""
    if len(prefix) % 64:
        raise ValueError(f"a prefix state needs whole 64-byte blocks, not {len(prefix)} bytes")
    return "".join(f"{word:08x}" for word in _run(_INITIAL, prefix))


def resume(state_hex, length, suffix):
    """SHA-256 (hex) of a message whose first ``length`` bytes left ``state_hex``, then ``suffix``."""
    if not re.fullmatch(r"[0-9a-f]{64}", state_hex or "") or length < 0 or length % 64:
        raise ValueError("a proof needs a 64-hex-digit state and a length that is a multiple of 64")
    total = length + len(suffix)
    tail = suffix + b"\x80" + b"\x00" * ((55 - total) % 64) + struct.pack(">Q", total * 8)
    state = _run(tuple(int(state_hex[i:i + 8], 16) for i in range(0, 64, 8)), tail)
    return "".join(f"{word:08x}" for word in state)


def _link_of(row):
    """(recomputed hash, the prev_hash and seq the hashed bytes commit to) of one export line."""
    if row.get("payload") is not None:
        payload = row["payload"].encode("utf-8")
        body = json.loads(payload)
        return hashlib.sha256(payload).hexdigest(), body.get("prev_hash"), body.get("seq")
    proof = row["proof"]
    suffix = proof["suffix"].encode("utf-8")
    digest = resume(proof["state"], proof["length"], suffix)
    # In canonical order "prev_hash" is followed by "request_id" and later by "seq"; the state never
    # covers them, so their hashed bytes are in the suffix (a cut key name is fine: the value is whole).
    links = re.findall(rb'"([0-9a-f]{64})","request_id":', suffix)
    seqs = re.findall(rb',"seq":(\d+)[,}]', suffix)
    return digest, links[-1].decode() if links else None, int(seqs[-1]) if seqs else None


def verify_export(lines, expected_head=None):
    """Walk export lines (dicts) in order; ``{"ok", "length", "head_hash", "first_bad_id"}``."""
    prev, length = GENESIS, 0
    for row in lines:
        try:
            digest, linked, seq = _link_of(row)
        except (KeyError, TypeError, ValueError):
            digest = linked = seq = None
        if digest != row.get("hash") or linked != prev or row.get("prev_hash") != prev or seq != length + 1 \
                or row.get("seq") != seq:
            return {"ok": False, "length": length, "head_hash": prev, "first_bad_id": row.get("id")}
        prev, length = digest, length + 1
    ok = expected_head is None or prev == expected_head
    return {"ok": ok, "length": length, "head_hash": prev, "first_bad_id": None}


if __name__ == "__main__":  # pragma: no cover - the auditor's entry point
    with open(sys.argv[1], encoding="utf-8") as export:
        report = verify_export((json.loads(line) for line in export if line.strip()),
                               sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps(report))
    sys.exit(0 if report["ok"] else 1)

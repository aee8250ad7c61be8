"""cxgov: governance of a customer-experience improvement portfolio."""

__version__ = "0.1.0"

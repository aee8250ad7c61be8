"""Settings: the defaults in one place, then ``CXGOV_*`` environment variables.

Nothing else in the package reads ``os.environ``.
"""
import os

#: Every setting, with its default.  ``DATABASE_URL`` empty means an SQLite file
#: ``cxgov.db`` in the Flask instance folder.
DEFAULTS = {
    "DATABASE_URL": "",
    "CURRENCY": "EUR",
    "CURRENCY_EXPONENT": 2,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "TOKEN_TTL_DAYS": 90,
    "POOL_MAX_CONNECTIONS": 16,
    "LOG_LEVEL": "INFO",
}

_PREFIX = "CXGOV_"


def _coerce(default, raw):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def settings_from_environment(environ=None):
    """Return the defaults overlaid with the ``CXGOV_*`` variables of ``environ``."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get(_PREFIX + key)
        if raw is not None and raw != "":
            try:
                settings[key] = _coerce(default, raw)
            except ValueError as exc:
                raise ValueError(f"{_PREFIX}{key}={raw!r} is not a valid value: {exc}") from exc
    settings["CURRENCY"] = settings["CURRENCY"].upper()
    return settings

"""Keeping API keys out of every text a user or a log can see.

Keys are registered when a client is created (:func:`register_key`); :func:`redact` replaces every
registered key, and anything that looks like a key in a URL query or header, by ``***``.
A :class:`logging.Filter` applies the same to every record of the ``infoway_widgets`` loggers.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_keys: set[str] = set()

# apikey=..., apiKey: ..., "apikey": "...", token=... in URLs, headers and JSON-ish text
_PATTERNS = [
    re.compile(r"(?i)(api[_-]?key|token)([\"']?\s*[=:]\s*[\"']?)([^&\s\"',;}]+)"),
]
MASK = "***"


def register_key(key: str | None) -> None:
    """Remember ``key`` so that :func:`redact` masks it wherever it appears."""
    if key and len(key) >= 4:
        with _lock:
            _keys.add(key)


def redact(text: object) -> str:
    """Return ``str(text)`` with every registered key and every ``apikey=...`` value masked."""
    s = text if isinstance(text, str) else str(text)
    if not s:
        return s
    with _lock:
        keys = sorted(_keys, key=len, reverse=True)
    for k in keys:
        if k in s:
            s = s.replace(k, MASK)
    for pat in _PATTERNS:
        s = pat.sub(lambda m: m.group(1) + m.group(2) + MASK, s)
    return s


def mask_key(key: str | None) -> str:
    """A display form of a key that proves which one is set without revealing it: ``'…a1b2'``-style is
    still a leak for short keys, so only the length is shown."""
    if not key:
        return "none"
    return f"<key: {len(key)} chars>"


class RedactingFilter(logging.Filter):
    """Masks keys in a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        red = redact(msg)
        if red != msg or record.args:
            record.msg = red
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_filter() -> None:
    """Attach the redacting filter to the package's root logger (idempotent)."""
    logger = logging.getLogger("infoway_widgets")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    # Filters on a logger do not apply to records of child loggers; handlers do. Patch the
    # record factory instead so that every record of our loggers is redacted at creation.
    global _factory_installed
    if not _factory_installed:
        old = logging.getLogRecordFactory()

        def factory(*args, **kwargs):  # type: ignore[no-untyped-def]
            rec = old(*args, **kwargs)
            if rec.name.startswith("infoway_widgets") or rec.name.startswith("websockets"):
                RedactingFilter().filter(rec)
            return rec

        logging.setLogRecordFactory(factory)
        _factory_installed = True


_factory_installed = False

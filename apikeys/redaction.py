"""Raw API keys never reach a log line.

A key can end up in a message we did not write: Django logs the path of every
4xx/5xx answer ("Not Found: /api/v2/auth/keys/<key>"), gunicorn logs every request
line. `RedactApiKeys` is a logging filter for handlers (Django's console handler,
gunicorn's error and access handlers) that replaces anything shaped like one of
our keys with its display prefix. The checksum (apikeys.keys) makes the match
exact: a 64-character run that is not one of our keys, such as a SHA-256 hex
digest, is left alone.

This module imports nothing from Django, so gunicorn's master process can load it
from `gunicorn.conf.py` before the application exists.
"""

import logging
import re

from apikeys import keys

REDACTED_MARKER = "…[redacted]"
# A run of exactly KEY_LENGTH key characters, not part of a longer run.
_CANDIDATE = re.compile(rf"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{{{keys.KEY_LENGTH}}}(?![A-Za-z0-9_-])")


def _replace(match: re.Match) -> str:
    candidate = match.group(0)
    if not keys.is_well_formed(candidate):
        return candidate
    return keys.display_prefix(candidate) + REDACTED_MARKER


def redact_api_keys(text: str) -> str:
    """`text` with every well-formed key replaced by `<prefix>…[redacted]`."""
    if len(text) < keys.KEY_LENGTH:
        return text
    return _CANDIDATE.sub(_replace, text)


class RedactApiKeys(logging.Filter):
    """Formats the record's message with its arguments, then redacts it.

    On a handler, it sees records propagated from every logger below (a filter
    on a logger would not). The record is changed in place, so handlers after
    this one see the redacted message too. It never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call; the formatter reports it
            return True
        redacted = redact_api_keys(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True

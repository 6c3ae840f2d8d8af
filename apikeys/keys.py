"""The raw API key format.

A raw key is 64 characters from the URL-safe alphabet `[A-Za-z0-9_-]`: 58 random
characters from `secrets` (348 bits) followed by a 6-character checksum (CRC-32 of the
random part, written in the same alphabet). The checksum lets us reject a mistyped,
truncated or made-up key without touching the database, and recognise a key that
was pasted somewhere it should not be (a URL). It is not a secret.

Only the SHA-256 hex digest of the whole key is stored, plus its first 6 characters
as a display prefix. A plain fast hash is right here: the key has far too much
entropy to brute-force, and a slow password hash would cost every request dearly.
"""

import hashlib
import hmac
import secrets
import string
import zlib

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
KEY_LENGTH = 64
CHECKSUM_LENGTH = 6
RANDOM_LENGTH = KEY_LENGTH - CHECKSUM_LENGTH
PREFIX_LENGTH = 6

_ALPHABET_SET = frozenset(ALPHABET)


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode("ascii"))
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def generate_raw_key() -> str:
    # The first character is never "-", so the prefix can be passed to a command
    # line (`revoke_api_key PREFIX`) without being taken for an option.
    first = secrets.choice(ALPHABET[:62])
    body = first + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH - 1))
    return body + _checksum(body)


def is_well_formed(candidate: object) -> bool:
    """True if `candidate` has the shape of a key we issued (length, alphabet, checksum)."""
    if not isinstance(candidate, str) or len(candidate) != KEY_LENGTH:
        return False
    if not _ALPHABET_SET.issuperset(candidate):
        return False
    body, checksum = candidate[:RANDOM_LENGTH], candidate[RANDOM_LENGTH:]
    return hmac.compare_digest(_checksum(body), checksum)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def display_prefix(raw_key: str) -> str:
    return raw_key[:PREFIX_LENGTH]

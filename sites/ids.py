"""Random public identifiers in Plausible's nanoid format."""

import secrets
import string

NANOID_ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "_-"
NANOID_LENGTH = 21


def nanoid(length: int = NANOID_LENGTH) -> str:
    return "".join(secrets.choice(NANOID_ALPHABET) for _ in range(length))


def new_tracker_id() -> str:
    """A tracker script configuration id: "pa-" and a 21-character nanoid."""
    return "pa-" + nanoid()


SITE_KEY_ALPHABET = string.ascii_lowercase + string.digits


def new_site_key() -> str:
    """A site's public key for the tracker snippet: "sk_" and 24 random characters."""
    return "sk_" + "".join(secrets.choice(SITE_KEY_ALPHABET) for _ in range(24))

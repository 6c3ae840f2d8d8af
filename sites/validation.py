"""Validation of site input, shared by every interface (both API dialects, the admin,
commands). Each function returns its errors in the order Plausible reports them
(the first one is what the Plausible dialect shows); interfaces decide how many to
render. Nothing here touches the database.
"""

import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import cache

from api.params import present
from sites.domains import canonical_domain, normalize_domain
from sites.exceptions import InvalidInput
from sites.models import (
    DEFAULT_TIMEZONE,
    DOMAIN_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    InstallationType,
)

RESERVED_CHARACTERS = ":?#[]@!$&'()*+,;="
# Plausible also allows `\`; we do not: browsers and URL parsers read it as `/`, so
# `a.test\b` would be a second name for the site `a.test/b`.
_ALLOWED_PUNCTUATION = frozenset("-./_:")

CANT_BE_BLANK = "can't be blank"
IS_INVALID = "is invalid"
RESERVED_CHARACTERS_MESSAGE = f"must not contain URI reserved characters {RESERVED_CHARACTERS}"
FORMAT_MESSAGE = "only letters, numbers, slashes, underscores and period allowed"
# An internationalised label that is not valid IDNA 2008 (`xn--zz.test`), or a
# domain that ends in two dots.
INVALID_DOMAIN_NAME_MESSAGE = IS_INVALID


def at_most(limit: int) -> str:
    """Plausible's (Ecto's) message for text over a length limit."""
    return f"should be at most {limit} character(s)"


TOO_LONG_MESSAGE = at_most(DOMAIN_MAX_LENGTH)
DOMAIN_TAKEN_MESSAGE = (
    "This domain cannot be registered. Perhaps one of your colleagues registered it?"
)
SAME_DOMAIN_MESSAGE = "New domain must be different than the current one"

TRACKER_FLAGS = (
    "track_404_pages",
    "hash_based_routing",
    "outbound_links",
    "file_downloads",
    "revenue_tracking",
    "tagged_events",
    "form_submissions",
    "pageview_props",
)
# Cast order, which is the order errors are reported in.
TRACKER_FIELDS = ("installation_type", *TRACKER_FLAGS)
TRACKER_PREFIX = "tracker_script_configuration"

_TRUE_STRINGS = {"true", "1"}
_FALSE_STRINGS = {"false", "0"}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidSiteInput(InvalidInput):
    """Raised by services with every error found, most important first. The
    Plausible dialect shows only the first; `message` is that one."""

    def __init__(self, errors: list[FieldError]):
        super().__init__(str(errors[0]))
        self.errors = errors

    @property
    def first(self) -> FieldError:
        return self.errors[0]


def _is_allowed_character(character: str) -> bool:
    # Plausible's regex is ^[-\.\\\/_:\p{L}\d]*$ : any Unicode letter or digit.
    category = unicodedata.category(character)
    return category.startswith("L") or category == "Nd" or character in _ALLOWED_PUNCTUATION


def domain_errors(raw: object) -> tuple[str | None, list[FieldError]]:
    """Canonicalise and validate a domain (sites.domains). Returns (canonical domain
    or None, errors). The length limit applies to the canonical form, the one
    stored."""
    if not isinstance(raw, str):
        return None, [FieldError("domain", IS_INVALID if raw is not None else CANT_BE_BLANK)]
    domain, valid_labels = canonical_domain(raw)
    errors = []
    if any(character in RESERVED_CHARACTERS for character in domain):
        errors.append(FieldError("domain", RESERVED_CHARACTERS_MESSAGE))
    if not all(_is_allowed_character(character) for character in domain):
        errors.append(FieldError("domain", FORMAT_MESSAGE))
    if not valid_labels and not errors:
        errors.append(FieldError("domain", INVALID_DOMAIN_NAME_MESSAGE))
    if len(domain) > DOMAIN_MAX_LENGTH:
        errors.append(FieldError("domain", TOO_LONG_MESSAGE))
    if not domain:
        errors.append(FieldError("domain", CANT_BE_BLANK))
    return domain, errors


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_timezone(name: object) -> bool:
    return isinstance(name, str) and name in _known_timezones()


def new_site_errors(*, domain: object, timezone: object) -> tuple[str | None, list[FieldError]]:
    """Errors for a new site in Plausible's precedence: reserved characters, format,
    timezone, blank, type errors."""
    normalized, domain_problems = domain_errors(domain)
    timezone_problems = [] if is_valid_timezone(timezone) else [FieldError("timezone", IS_INVALID)]
    # A text domain's "is invalid" is about its labels, so it ranks with the format;
    # only a domain that is not text at all is a type-cast error.
    late = {CANT_BE_BLANK} if isinstance(domain, str) else {CANT_BE_BLANK, IS_INVALID}
    early = [error for error in domain_problems if error.message not in late]
    rest = [error for error in domain_problems if error.message in late]
    return normalized, [*early, *timezone_problems, *rest]


def name_errors(raw: object) -> tuple[str | None, list[FieldError]]:
    """A site's display name: text, not blank, at most SITE_NAME_MAX_LENGTH."""
    if raw is None:
        return None, [FieldError("name", CANT_BE_BLANK)]
    if not isinstance(raw, str):
        return None, [FieldError("name", IS_INVALID)]
    name = raw.strip()
    if not name:
        return None, [FieldError("name", CANT_BE_BLANK)]
    if len(name) > SITE_NAME_MAX_LENGTH:
        return None, [FieldError("name", at_most(SITE_NAME_MAX_LENGTH))]
    return name, []


def public_stats_errors(raw: object) -> tuple[bool | None, list[FieldError]]:
    flag = _cast_flag(raw)
    if flag is None:
        return None, [FieldError("public_stats", IS_INVALID)]
    return flag, []


def _cast_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_STRINGS:
            return True
        if lowered in _FALSE_STRINGS:
            return False
    return None


def tracker_configuration_changes(raw: object) -> tuple[dict, list[FieldError]]:
    """The recognised, cast fields of a tracker configuration payload (unknown keys
    are ignored), and the errors in cast order."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [FieldError(TRACKER_PREFIX, IS_INVALID)]
    changes: dict = {}
    errors = []
    for field in TRACKER_FIELDS:
        if field not in raw:
            continue
        value = raw[field]
        if field == "installation_type":
            if not present(value):
                changes[field] = None
            elif isinstance(value, str) and value in InstallationType.values:
                changes[field] = value
            else:
                errors.append(FieldError(f"{TRACKER_PREFIX}.{field}", IS_INVALID))
            continue
        flag = _cast_flag(value)
        if flag is None:
            errors.append(FieldError(f"{TRACKER_PREFIX}.{field}", IS_INVALID))
        else:
            changes[field] = flag
    return changes, errors


__all__ = [
    "DEFAULT_TIMEZONE",
    "FieldError",
    "InvalidSiteInput",
    "domain_errors",
    "new_site_errors",
    "normalize_domain",
    "tracker_configuration_changes",
]

"""Scope matching, as Plausible does it (spec §3.2).

A key scope grants a required scope when the required scope starts with the key
scope stripped of its trailing `*`s: `sites:*` grants `sites:provision:*`, `*` grants
everything. `stats:read:*` and `sites:read:*` are granted to every valid key.
"""

import re

from django.core.exceptions import ValidationError

IMPLICIT_SCOPES = ("stats:read:*", "sites:read:*")
DEFAULT_SCOPES = ["stats:read:*"]
PROVISION_SCOPE = "sites:provision:*"
READ_SCOPE = "sites:read:*"
# The resource dialect's scopes. Each is equivalent to its Plausible twin, both
# ways, so one key serves both dialects.
ANALYTICS_READ_SCOPE = "analytics:read"
ANALYTICS_WRITE_SCOPE = "analytics:write"
_TWINS = {ANALYTICS_READ_SCOPE: READ_SCOPE, ANALYTICS_WRITE_SCOPE: PROVISION_SCOPE}
EQUIVALENT_SCOPES = {**_TWINS, **{plausible: ours for ours, plausible in _TWINS.items()}}

MAX_SCOPES = 32
_SCOPE_RE = re.compile(r"^[a-z0-9_:-]*\*?$")


def scope_grants(key_scope: str, required_scope: str) -> bool:
    return required_scope.startswith(key_scope.rstrip("*"))


def has_scope(key_scopes: list[str], required_scope: str) -> bool:
    wanted = [required_scope]
    if required_scope in EQUIVALENT_SCOPES:
        wanted.append(EQUIVALENT_SCOPES[required_scope])
    return any(
        scope_grants(scope, required)
        for required in wanted
        for scope in (*IMPLICIT_SCOPES, *key_scopes)
    )


def validate_scopes(scopes: object) -> list[str]:
    """Return the scopes de-duplicated in order, or raise ValidationError."""
    if not isinstance(scopes, list | tuple) or not scopes:
        raise ValidationError("scopes must be a non-empty list of strings.")
    if len(scopes) > MAX_SCOPES:
        raise ValidationError(f"At most {MAX_SCOPES} scopes are allowed.")
    cleaned: list[str] = []
    for scope in scopes:
        if not isinstance(scope, str) or not scope.strip():
            raise ValidationError("Every scope must be a non-empty string.")
        scope = scope.strip()
        if len(scope) > 64 or not _SCOPE_RE.match(scope):
            raise ValidationError(
                f"Invalid scope {scope!r}: use lower-case words separated by ':', "
                "optionally ending in '*' (for example 'sites:provision:*')."
            )
        if scope not in cleaned:
            cleaned.append(scope)
    return cleaned

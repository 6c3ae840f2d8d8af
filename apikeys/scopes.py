"""Scope matching, as Plausible does it (docs/plausible-compat.md#scopes).

A key scope grants a required scope when the required scope starts with the key
scope stripped of its trailing `*`s: `sites:*` grants `sites:provision:*`, `*` grants
everything. `stats:read:*` and `sites:read:*` are granted to every valid key.

Matching accepts whatever a stored key carries; issuing a key does not: every
scope given must be one of `VALID_SCOPES` (`validate_scopes`).
"""

from django.core.exceptions import ValidationError

from teams.models import Feature

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


def _resource_action(scope: str) -> tuple[str, str]:
    resource, action = scope.removesuffix(":*").split(":")
    return resource, action


# The one table of what a scope may name: every (resource, action) pair spelled by
# the constants above. A new scope constant extends it; nothing else lists them.
KNOWN_ACTIONS: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys(
        _resource_action(scope)
        for scope in (
            *IMPLICIT_SCOPES,
            READ_SCOPE,
            PROVISION_SCOPE,
            ANALYTICS_READ_SCOPE,
            ANALYTICS_WRITE_SCOPE,
        )
    )
)


def _valid_scopes() -> tuple[str, ...]:
    """`*`, then per resource `<resource>:*` and per action `<resource>:<action>`
    and `<resource>:<action>:*`, in the table's order."""
    valid = ["*"]
    for resource, action in KNOWN_ACTIONS:
        if f"{resource}:*" not in valid:
            valid.append(f"{resource}:*")
        valid.extend([f"{resource}:{action}", f"{resource}:{action}:*"])
    return tuple(valid)


VALID_SCOPES = _valid_scopes()
UNKNOWN_SCOPE = (
    "Invalid scope {scope!r}: there is no such scope. Valid scopes: "
    + ", ".join(VALID_SCOPES)
    + "."
)
NOT_A_SCOPE_LIST = "scopes must be a non-empty list of strings."
EMPTY_SCOPE = "Every scope must be a non-empty string."
TOO_MANY_SCOPES = f"At most {MAX_SCOPES} scopes are allowed."


def scope_grants(key_scope: str, required_scope: str) -> bool:
    return required_scope.startswith(key_scope.rstrip("*"))


def has_scope(key_scopes: list[str], required_scope: str) -> bool:
    wanted = [required_scope]
    if required_scope in EQUIVALENT_SCOPES:
        wanted.append(EQUIVALENT_SCOPES[required_scope])
    # A required scope spelled without `:*` (the resource dialect's) is also asked
    # for with it, so that `<resource>:<action>:*` grants `<resource>:<action>` as
    # it does for every other scope; it grants nothing more.
    wanted += [f"{scope}:*" for scope in wanted if not scope.endswith("*")]
    return any(
        scope_grants(scope, required)
        for required in wanted
        for scope in (*IMPLICIT_SCOPES, *key_scopes)
    )


def validate_scopes(scopes: object) -> list[str]:
    """Return the scopes de-duplicated in order, or raise ValidationError. Every
    interface that issues keys (admin, `create_api_key`, the staff endpoint) goes
    through here, so a typo such as `sites:provison` is refused, not stored as a
    scope that grants nothing. Keys already stored are matched as before."""
    if not isinstance(scopes, list | tuple) or not scopes:
        raise ValidationError(NOT_A_SCOPE_LIST)
    if len(scopes) > MAX_SCOPES:
        raise ValidationError(TOO_MANY_SCOPES)
    cleaned: list[str] = []
    for scope in scopes:
        if not isinstance(scope, str) or not scope.strip():
            raise ValidationError(EMPTY_SCOPE)
        scope = scope.strip()
        if scope not in VALID_SCOPES:
            raise ValidationError(UNKNOWN_SCOPE.format(scope=scope[:64]))
        if scope not in cleaned:
            cleaned.append(scope)
    return cleaned


def feature_for_scope(required_scope: str) -> Feature:
    """The entitlement a request needs: the Sites API to write, the Stats API to read."""
    writes = required_scope in (PROVISION_SCOPE, ANALYTICS_WRITE_SCOPE)
    return Feature.SITES_API if writes else Feature.STATS_API

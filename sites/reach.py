"""Reach: which sites and teams a principal may touch, with which role. The one
place every key-authenticated endpoint goes through.

`authorize()` runs the checks that follow authentication (docs/plausible-compat.md#check-order):
rate limits, the scope check, then site and team verification. Views receive an `ApiAccess`
and never filter by team or membership themselves.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from rest_framework import exceptions

from accounts.models import User
from api import errors
from apikeys.exceptions import INVALID_API_KEY
from apikeys.models import ApiKey
from apikeys.ratelimit import Bucket, Usage, count_request
from apikeys.scopes import feature_for_scope, has_scope
from sites.exceptions import SITE_NOT_FOUND
from sites.models import Site
from sites.selectors import SiteLookup, site_for_lookup, team_for_user
from teams.entitlements import verify_team_entitlements
from teams.exceptions import INVALID_TEAM_ID, TEAM_NOT_FOUND
from teams.models import Feature, Membership, Role, Team
from teams.selectors import is_team_identifier

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiAccess:
    api_key: ApiKey
    user: User
    # The key's team (Plausible's `current_team`); None for a legacy key.
    team: Team | None
    # The team the request names: the key's team, else the `team_id` parameter's.
    requested_team: Team | None = None
    # The site named by `site_id`, when the endpoint has a site context and it exists.
    site: Site | None = None
    # The user's effective role on `site`: their team role, else their guest role.
    site_role: str | None = None
    # The user's role in `requested_team` (None for a guest or non-member).
    requested_team_role: str | None = None
    params: dict = field(default_factory=dict)
    # The entitlement the request's scope needs (Stats API to read, Sites API to write).
    feature: Feature = Feature.STATS_API

    def site_for_roles(self, roles: frozenset[str]) -> Site:
        """The site, if the caller's effective role is one of `roles`; otherwise the
        same 404 as a missing site, so a lesser role learns nothing."""
        if self.site is None or self.site_role not in roles:
            raise errors.NotFound(SITE_NOT_FOUND)
        return self.site


# Effective site roles each kind of endpoint needs (docs/plausible-compat.md#roles).
READ_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER})
WRITE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
MANAGE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
OWNER_ROLES = frozenset({Role.OWNER})


def _verify(*, api_key: ApiKey, team: Team, is_member: bool, feature: Feature) -> None:
    """The rules of docs/plausible-compat.md#verification, for sites and teams alike, with rule 2
    (membership) before rules 3–4 (entitlements): Plausible's order tells
    any key holder whether a stranger's team is locked or lacks a feature. A
    caller with no role there gets the same 401 whatever the team's standing."""
    if api_key.team_id is not None and api_key.team_id != team.pk:
        raise exceptions.AuthenticationFailed(INVALID_API_KEY)
    if not is_member:
        raise exceptions.AuthenticationFailed(INVALID_API_KEY)
    verify_team_entitlements(team=team, feature=feature)


def _reachable(api_key: ApiKey, site: Site) -> bool:
    in_key_team = api_key.team_id is None or api_key.team_id == site.team_id
    return in_key_team and (site.team_role or site.guest_role) is not None


def _requested_team(api_key: ApiKey, team_id: object) -> tuple[Team | None, str | None]:
    if api_key.team is not None:
        if not hasattr(api_key, "user_role_in_team"):  # loaded without the selector
            api_key.user_role_in_team = (
                Membership.objects.filter(team=api_key.team, user=api_key.user)
                .values_list("role", flat=True)
                .first()
            )
        return api_key.team, api_key.user_role_in_team
    if team_id in (None, ""):
        return None, None
    # Unlike Plausible, which ignores a team_id it cannot resolve: a create would
    # land in the personal team and a list would span every team, silently.
    if not is_team_identifier(team_id):
        raise errors.BadRequest(INVALID_TEAM_ID)
    team = team_for_user(identifier=team_id, user=api_key.user)
    if team is None:
        raise errors.NotFound(TEAM_NOT_FOUND)
    return team, team.user_role


def _named_site(api_key: ApiKey, lookup: SiteLookup | None) -> Site | None:
    """The site the request names, as fetched with the key when it was (one query
    for both), else looked up now."""
    joined = getattr(api_key, "joined", None)
    if joined is not None and joined.read == lookup:
        return joined.value
    return site_for_lookup(user=api_key.user, lookup=lookup)


def rate_limit_bucket(api_key: ApiKey, site: Site | None) -> Bucket:
    """docs/plausible-compat.md#rate-limits: a team key spends its team's budget; a legacy key the
    budget of the team owning the site it names, else its user's own. Unlike
    Plausible, only if the user is a member of that team: otherwise anyone with a
    key could spend (and exhaust) a team's budget by naming its domain, and a
    guest of one site, a tenant of its own, could spend its host's."""
    team = api_key.team
    if team is None and site is not None and site.team_role is not None:
        team = site.team
    if team is not None:
        return Bucket(
            key=f"team:{team.identifier}",
            hourly_limit=team.hourly_api_request_limit,
            burst_limit=team.burst_request_limit,
            burst_period=team.burst_period_seconds,
        )
    return Bucket(
        key=f"legacy_user:{api_key.user_id}",
        hourly_limit=settings.LEGACY_HOURLY_API_REQUEST_LIMIT,
        burst_limit=settings.LEGACY_BURST_REQUEST_LIMIT,
        burst_period=settings.LEGACY_BURST_PERIOD_SECONDS,
    )


def authorize(
    *,
    api_key: ApiKey,
    required_scope: str,
    site_id: str | None = None,
    team_id: object = None,
    params: dict | None = None,
    record_usage: Callable[[Usage], None] | None = None,
    site_key: str | None = None,
) -> ApiAccess:
    """`site_id` names the site by domain (Plausible dialect); `site_key` by its key
    (resource dialect), where a site the key cannot reach is simply not found."""
    user = api_key.user
    lookup = SiteLookup.for_request(site_id=site_id, site_key=site_key)
    site = _named_site(api_key, lookup)
    if lookup is not None and lookup.by == "key" and site is not None:
        if not _reachable(api_key, site):
            site = None

    # Rate limits come after the key lookup and before every other check, so
    # refused requests with a valid key still count (docs/plausible-compat.md#check-order).
    usage = count_request(rate_limit_bucket(api_key, site))
    if usage is not None:
        if record_usage is not None:
            record_usage(usage)
        if usage.refusal is not None:
            raise errors.RateLimited(usage.message, wait=usage.refusal.reset)

    if not has_scope(api_key.scopes, required_scope):
        raise exceptions.AuthenticationFailed(INVALID_API_KEY)

    feature = feature_for_scope(required_scope)
    site_role = None
    if site is not None:
        site_role = site.team_role or site.guest_role
        if api_key.team_id is None and site.team_role is None:
            # Not blocking, but worth seeing in the logs (docs/plausible-compat.md#reach).
            how = "as a guest" if site.guest_role else "as a non-member"
            verb = "accessing" if site.guest_role else "trying to access"
            logger.warning(
                "API key %s user %s %s %s", api_key.pk, verb, site_id or site.domain, how
            )
        _verify(api_key=api_key, team=site.team, is_member=site_role is not None, feature=feature)

    team, role_in_team = _requested_team(api_key, team_id)
    if team is not None:
        _verify(api_key=api_key, team=team, is_member=role_in_team is not None, feature=feature)

    return ApiAccess(
        api_key=api_key,
        user=user,
        team=api_key.team,
        requested_team=team,
        site=site,
        site_role=site_role,
        requested_team_role=role_in_team,
        params=params or {},
        feature=feature,
    )

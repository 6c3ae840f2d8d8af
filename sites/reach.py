"""Reach: which sites and teams a principal may touch, with which role. The one
selector every key-authenticated endpoint goes through (sites.base_views).

The checks after authentication run in Plausible's order
(docs/plausible-compat.md#check-order): the site the request names is read
first (`named_site`), because it decides whose rate-limit budget the request
spends (`rate_limit_bucket`); then the scope (apikeys.permissions.HasScope);
then `verify` decides whether the site and the team the request names may be
touched, and answers a `Reach`: the only way a view gets a site, a list of
sites, or a list of teams. Views never filter by team or membership themselves.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import exceptions

from accounts.models import User
from api import errors
from api.params import present
from api.ratelimit import Bucket
from apikeys.exceptions import INVALID_API_KEY
from apikeys.principal import Principal
from apikeys.throttling import legacy_user_bucket
from sites.exceptions import SITE_NOT_FOUND, NotFound
from sites.models import Site
from sites.selectors import (
    SiteLookup,
    site_for_lookup,
    site_in_team_for_lookup,
    sites_visible_to,
    team_for_user,
)
from teams.entitlements import verify_team_entitlements
from teams.exceptions import INVALID_TEAM_ID, TEAM_NOT_FOUND, TeamNotFound
from teams.models import Feature, Team
from teams.rate_limits import team_bucket
from teams.selectors import is_team_identifier, teams_reachable_by_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reach:
    """What a verified request may touch."""

    principal: Principal
    # The site the request names, when it names one and it exists.
    site: Site | None = None
    # The user's effective role on `site`: their team role, else their guest role.
    site_role: str | None = None
    # The team the request names: the key's team, else the `team_id` parameter's.
    requested_team: Team | None = None
    # The user's role in `requested_team` (None for a guest or non-member).
    requested_team_role: str | None = None
    # The entitlement the request's scope needs (Stats API to read, Sites API to write).
    feature: Feature = Feature.STATS_API

    @property
    def user(self) -> User:
        return self.principal.user

    @property
    def team(self) -> Team | None:
        """The key's team (Plausible's `current_team`); None for a legacy key."""
        return self.principal.team

    def site_for_roles(self, roles: frozenset[str]) -> Site:
        """The site, if the caller's effective role is one of `roles`; otherwise the
        same 404 as a missing site, so a lesser role learns nothing."""
        if self.site is None or self.site_role not in roles:
            raise NotFound(SITE_NOT_FOUND)
        return self.site

    def sites(self, roles: frozenset[str]) -> QuerySet[Site]:
        """The sites the caller could read one by one with `roles`: the requested
        team's, else those of every team of theirs and their guest sites."""
        return sites_visible_to(
            user=self.user,
            team=self.requested_team,
            role_in_team=self.requested_team_role,
            roles=roles,
            feature=self.feature,
        )

    def teams(self) -> QuerySet[Team]:
        return teams_reachable_by_key(user=self.user, key_team=self.team)


def named_site(principal: Principal, lookup: SiteLookup | None) -> Site | None:
    """The site the request names, as fetched with the key when it was (one query
    for both), else looked up now. A site named by key (the resource dialect)
    that the principal cannot reach is simply not found."""
    fetched = principal.fetched_with_key(lookup)
    if fetched is not None:
        site = fetched.value
    elif principal.team is not None:
        site = site_in_team_for_lookup(
            user=principal.user,
            team=principal.team,
            role_in_team=principal.role_in_team,
            lookup=lookup,
        )
    else:
        site = site_for_lookup(user=principal.user, lookup=lookup)
    if site is not None and lookup.by == "key" and not _reachable(principal, site):
        return None
    return site


def _reachable(principal: Principal, site: Site) -> bool:
    in_key_team = principal.team_id is None or principal.team_id == site.team_id
    return in_key_team and (site.team_role or site.guest_role) is not None


def rate_limit_bucket(principal: Principal, *, named_site: Callable[[], Site | None]) -> Bucket:
    """docs/plausible-compat.md#rate-limits: a team key spends its team's budget; a legacy key the
    budget of the team owning the site it names, else its user's own. Unlike
    Plausible, only if the user is a member of that team: otherwise anyone with a
    key could spend (and exhaust) a team's budget by naming its domain, and a
    guest of one site, a tenant of its own, could spend its host's.

    `named_site` is asked only for a legacy key: a team key's request is counted
    without its site (a remembered key's read has it read while the script runs,
    unless its budget was refused lately: a stream of 429s reads no site)."""
    if principal.team is not None:
        return team_bucket(principal.team)
    site = named_site()
    if site is not None and site.team_role is not None:
        return team_bucket(site.team)
    return legacy_user_bucket(principal.user.pk)


def _verify(*, principal: Principal, team: Team, is_member: bool, feature: Feature) -> None:
    """The rules of docs/plausible-compat.md#verification, for sites and teams alike, with rule 2
    (membership) before rules 3–4 (entitlements): Plausible's order tells
    any key holder whether a stranger's team is locked or lacks a feature. A
    caller with no role there gets the same 401 whatever the team's standing."""
    if principal.team_id is not None and principal.team_id != team.pk:
        raise exceptions.AuthenticationFailed(INVALID_API_KEY)
    if not is_member:
        raise exceptions.AuthenticationFailed(INVALID_API_KEY)
    verify_team_entitlements(team=team, feature=feature)


def _requested_team(principal: Principal, team_id: object) -> tuple[Team | None, str | None]:
    if principal.team is not None:
        return principal.team, principal.role_in_team
    if not present(team_id):
        return None, None
    # Unlike Plausible, which ignores a team_id it cannot resolve: a create would
    # land in the personal team and a list would span every team, silently.
    if not is_team_identifier(team_id):
        raise errors.BadRequest(INVALID_TEAM_ID)
    team = team_for_user(identifier=team_id, user=principal.user)
    if team is None:
        raise TeamNotFound(TEAM_NOT_FOUND)
    return team, team.user_role


def verify(
    principal: Principal,
    *,
    site: Site | None,
    team_id: object = None,
    feature: Feature = Feature.STATS_API,
    named_as: str | None = None,
) -> Reach:
    """The last check before a view runs: the named site (if any) and then the
    named team (the key's, or `team_id`'s) may be touched by the principal, and
    their team has `feature`. `named_as` is how the request named the site, for
    the log."""
    site_role = None
    if site is not None:
        site_role = site.team_role or site.guest_role
        if principal.team_id is None and site.team_role is None:
            # Not blocking, but worth seeing in the logs (docs/plausible-compat.md#reach).
            how = "as a guest" if site.guest_role else "as a non-member"
            verb = "accessing" if site.guest_role else "trying to access"
            logger.warning(
                "API key %s user %s %s %s",
                principal.key_id,
                verb,
                named_as or site.domain,
                how,
            )
        _verify(
            principal=principal, team=site.team, is_member=site_role is not None, feature=feature
        )

    team, role_in_team = _requested_team(principal, team_id)
    if team is not None:
        _verify(principal=principal, team=team, is_member=role_in_team is not None, feature=feature)

    return Reach(
        principal=principal,
        site=site,
        site_role=site_role,
        requested_team=team,
        requested_team_role=role_in_team,
        feature=feature,
    )

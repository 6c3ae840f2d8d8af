"""Reads on sites. Access decisions are made by `sites.reach`; these functions
only answer "which rows", each in a constant number of queries."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from api import sql
from api.sql import RowLoader, split_row
from sites.domains import lookup_domain, previous_domain_cutoff
from sites.models import (
    DOMAIN_MAX_LENGTH,
    Goal,
    GuestInvitation,
    GuestMembership,
    Site,
    TrackerScriptConfiguration,
)
from teams.models import Membership, Team
from teams.selectors import parse_identifier

_SITES = RowLoader(Site, "s")
_SITE_TEAMS = RowLoader(Team, "st")
_TRACKERS = RowLoader(TrackerScriptConfiguration, "c")


@dataclass(frozen=True)
class SiteLookup:
    """How a request names its site: by `domain` (the Plausible dialect's `site_id`,
    current or previous domain, compared in canonical form: sites.domains) or by
    `key` (the resource dialect's site key)."""

    by: str
    value: str

    @classmethod
    def for_request(cls, *, site_id=None, site_key=None) -> "SiteLookup | None":
        if site_id:
            return cls("domain", lookup_domain(site_id))
        if site_key:
            return cls("key", site_key)
        return None

    @property
    def possible(self) -> bool:
        """False when no site can have this name (and PostgreSQL refuses NUL)."""
        return "\x00" not in self.value and len(self.value) <= DOMAIN_MAX_LENGTH

    # As an apikeys.selectors.JoinedRead: the key lookup fetches this site too.
    def columns_sql(self, user_id_sql: str) -> str:
        return site_columns_sql(user_id_sql)

    def joins_sql(self) -> str:
        return site_joins_sql(self.by)

    def from_row(self, values) -> "Site | None":
        return site_from_row(values)

    def params(self) -> list:
        """The values bound by `site_joins_sql(self.by)`, in order."""
        if self.by == "domain":
            cutoff = previous_domain_cutoff()
            cutoff = connection.ops.adapt_datetimefield_value(cutoff)
            return [self.value, self.value, cutoff]
        return [self.value]


def site_columns_sql(user_id_sql: str) -> str:
    """The site, its team, its tracker configuration, then the user's role in the
    team and their guest role on the site; `user_id_sql` is a column or `%s`."""
    return sql.site_columns_sql(
        _SITES, _SITE_TEAMS, _TRACKERS, Membership, GuestMembership, user_id_sql
    )


def site_joins_sql(by: str, *, with_team: bool = True) -> str:
    """LEFT JOINs that attach the named site to any row (api.sql.site_joins_sql);
    the values they bind are `SiteLookup.params`."""
    return sql.site_joins_sql(_SITES, _SITE_TEAMS if with_team else None, _TRACKERS, by)


def site_in_team_columns_sql(user_id_sql: str) -> str:
    return sql.site_in_team_columns_sql(_SITES, _TRACKERS, GuestMembership, user_id_sql)


def _with_tracker(site: Site, tracker_values) -> None:
    tracker = _TRACKERS.build(tracker_values)
    Site.tracker_script_configuration.related.set_cached_value(site, tracker)
    if tracker is not None:
        tracker.site = site


def site_from_row(values) -> Site | None:
    """The site from the `site_columns_sql` slice of a row, or None (no match)."""
    site_values, team_values, tracker_values, (team_role, guest_role) = split_row(
        values, _SITES, _SITE_TEAMS, _TRACKERS
    )
    site = _SITES.build(site_values)
    if site is None:
        return None
    site.team = _SITE_TEAMS.build(team_values)
    _with_tracker(site, tracker_values)
    site.team_role, site.guest_role = team_role, guest_role
    return site


def site_for_user(
    *, user: User, site_id: str | None = None, site_key: str | None = None
) -> Site | None:
    """The site named `site_id` (its domain, or its previous domain during the grace
    period) or `site_key` (the resource dialect's key), with its team, tracker
    configuration and the user's roles on it, in one query (hand-written, see
    api/sql.py). Most requests get it with their key instead
    (`apikeys.selectors.principal_for_raw_key`).

    The result carries `team_role` (the user's role in the site's team, or None) and
    `guest_role` (their guest role on this site, or None). Access decisions are made
    by `sites.reach`, not here."""
    return site_for_lookup(
        user=user, lookup=SiteLookup.for_request(site_id=site_id, site_key=site_key)
    )


def site_for_lookup(*, user: User, lookup: SiteLookup | None) -> Site | None:
    """`site_for_user`, for a request's SiteLookup."""
    if lookup is None or not lookup.possible:
        return None
    statement = sql.site_alone_sql(site_columns_sql("%s"), site_joins_sql(lookup.by))
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, user.pk, *lookup.params()])
        row = cursor.fetchone()
    return site_from_row(row)


def site_in_team_for_lookup(
    *, user: User, team: Team, role_in_team: str | None, lookup: SiteLookup | None
) -> Site | None:
    """`site_for_lookup` for a caller who holds a team and their role in it (a
    team key's principal, checked against its stamps before this runs): when the
    site is that team's, only the site, its tracker configuration and the guest
    role are read, and the team and role are the caller's. A site of another
    team is read again whole (`site_for_lookup`), so it is judged exactly as
    any: the key may not touch it, and that refusal is rare."""
    if lookup is None or not lookup.possible:
        return None
    statement = sql.site_alone_sql(
        site_in_team_columns_sql("%s"), site_joins_sql(lookup.by, with_team=False)
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, *lookup.params()])
        row = cursor.fetchone()
    site_values, tracker_values, (guest_role,) = split_row(row, _SITES, _TRACKERS)
    site = _SITES.build(site_values)
    if site is None:
        return None
    if site.team_id != team.pk:
        return site_for_lookup(user=user, lookup=lookup)
    site.team = team
    _with_tracker(site, tracker_values)
    site.team_role, site.guest_role = role_in_team, guest_role
    return site


def sites_visible_to(
    *,
    user: User,
    team: Team | None,
    role_in_team: str | None,
    roles: frozenset[str],
    feature: str,
) -> QuerySet[Site]:
    """The site lists of both dialects: exactly the sites the caller could read one
    by one. With a team (the key's, or `team_id`'s, which access has verified to be
    unlocked and to have the feature, or answered 402): that team's sites, if the
    caller's role there is one of `roles` (a guest of some of its sites sees none,
    as in Plausible). Without: the sites of the user's teams where their role is
    one of `roles`, and those they are a guest of with such a role (and no team
    role), of teams that
    are unlocked and have `feature` (reading one of the others is a 402). One
    query, however many teams."""
    if team is not None:
        if role_in_team not in roles:
            return Site.objects.none()
        return Site.objects.filter(team=team)
    teams = Membership.objects.filter(user=user)
    # A team role, where there is one, is the effective role even on a site the
    # user is also a guest of (sites.reach): a billing member stays billing.
    guest_of = GuestMembership.objects.filter(user=user, role__in=roles).exclude(
        site__team__in=teams.values("team")
    )
    sites = Site.objects.filter(
        Q(team__in=teams.filter(role__in=roles).values("team")) | Q(pk__in=guest_of.values("site"))
    )
    # `features` is a JSON list of names from a fixed enum of distinct words (no
    # name contains another's quoted spelling), so a match on the quoted name is
    # exact list membership, in one portable LIKE: SQLite has no JSON containment
    # lookup, and PostgreSQL's `?` cannot be spelled the same way on both.
    return sites.filter(team__locked=False, team__features__icontains=f'"{feature}"')


def goals_of_site(site: Site) -> QuerySet[Goal]:
    return Goal.objects.filter(site=site)


def guests_of_site(*, site: Site, after: int | None, before: int | None, count: int) -> list:
    """Accepted guests (newest membership first), then pending invitations (oldest
    first), as `(sort_key, Guest)` pairs: the key is -membership id or +invitation id,
    Plausible's `sort_index`. Two queries whatever the page size."""
    from sites.guest_services import Guest

    memberships = GuestMembership.objects.filter(site=site).select_related("user")
    invitations = GuestInvitation.objects.filter(site=site)
    if after is not None:
        memberships = memberships.filter(pk__lt=-after)
        invitations = invitations.filter(pk__gt=after)
    if before is not None:
        memberships = memberships.filter(pk__gt=-before)
        invitations = invitations.filter(pk__lt=before)
    descending = before is not None
    accepted = [
        (-m.pk, Guest(email=m.user.email, role=m.role, status="accepted"))
        for m in memberships.order_by("pk" if descending else "-pk")[:count]
    ]
    invited = [
        (i.pk, Guest(email=i.email, role=i.role, status="invited"))
        for i in invitations.order_by("-pk" if descending else "pk")[:count]
    ]
    rows = (invited + accepted) if descending else (accepted + invited)
    return rows[:count]


# Plausible gives a site's guests a team membership with this role; ours live on
# the site (GuestMembership), and selectors report them under the same name.
GUEST_ROLE = "guest"


def team_for_user(*, identifier: object, user: User) -> Team | None:
    """Like teams.selectors.team_by_identifier, annotated with `user_role`: the user's role in the
    team, "guest" if they are only a guest of one of its sites, or None; still in
    one query."""
    parsed = parse_identifier(identifier)
    if parsed is None:
        return None
    role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    guest = GuestMembership.objects.filter(site__team=OuterRef("pk"), user=user)
    team = (
        Team.objects.annotate(user_role=Subquery(role), is_guest=Exists(guest))
        .filter(identifier=parsed)
        .first()
    )
    if team is not None and team.user_role is None and team.is_guest:
        team.user_role = GUEST_ROLE
    return team

"""Reads on sites. Access decisions are made by `apikeys.access`; these functions
only answer "which rows", each in a constant number of queries."""

from datetime import timedelta
from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from apikeys.rows import RowLoader, quote, split_row
from sites.models import (
    DOMAIN_MAX_LENGTH,
    Goal,
    GuestInvitation,
    GuestMembership,
    Site,
    TrackerScriptConfiguration,
)
from teams.models import Membership, Team
from teams.selectors import GUEST_ROLE

# After a domain change the old domain keeps resolving this long (spec §7.3).
DOMAIN_CHANGE_GRACE = timedelta(hours=72)


_SITES = RowLoader(Site, "s")
_SITE_TEAMS = RowLoader(Team, "t")
_TRACKERS = RowLoader(TrackerScriptConfiguration, "c")


@cache
def _site_lookup_sql(by: str) -> str:
    """The site with its team, tracker configuration and the user's two roles.
    Only identifiers from model metadata are interpolated; values are bound."""
    if by == "domain":
        where = (
            f"(s.{quote('domain')} = %s OR (s.{quote('domain_changed_from')} = %s "
            f"AND s.{quote('domain_changed_at')} > %s))"
        )
    else:
        where = f"s.{quote('site_key')} = %s"
    return (
        f"SELECT {_SITES.columns}, {_SITE_TEAMS.columns}, {_TRACKERS.columns}, "  # noqa: S608
        f"(SELECT m.{quote('role')} FROM {quote(Membership._meta.db_table)} m "
        f"WHERE m.{quote('team_id')} = s.{quote('team_id')} AND m.{quote('user_id')} = %s "
        "LIMIT 1), "
        f"(SELECT g.{quote('role')} FROM {quote(GuestMembership._meta.db_table)} g "
        f"WHERE g.{quote('site_id')} = s.{quote('id')} AND g.{quote('user_id')} = %s LIMIT 1) "
        f"FROM {quote(Site._meta.db_table)} s "
        f"INNER JOIN {quote(Team._meta.db_table)} t ON t.{quote('id')} = s.{quote('team_id')} "
        f"LEFT OUTER JOIN {quote(TrackerScriptConfiguration._meta.db_table)} c "
        f"ON c.{quote('site_id')} = s.{quote('id')} "
        # Claims make two matches impossible; should one slip through, the site
        # whose current domain it is wins over one that merely had it.
        f"WHERE {where} ORDER BY CASE WHEN s.{quote('domain')} = %s THEN 0 ELSE 1 END, "
        f"s.{quote('id')} LIMIT 1"
    )


def site_for_user(
    *, user: User, site_id: str | None = None, site_key: str | None = None
) -> Site | None:
    """The site named `site_id` (its domain, or its previous domain during the grace
    period) or `site_key` (the resource dialect's key), with its team, tracker
    configuration and the user's roles on it, in one query (hand-written, see
    apikeys/rows.py: this runs on most requests).

    The result carries `team_role` (the user's role in the site's team, or None) and
    `guest_role` (their guest role on this site, or None). Access decisions are made
    by `apikeys.access`, not here."""
    lookup = site_id if site_id is not None else site_key
    if not lookup or "\x00" in lookup or len(lookup) > DOMAIN_MAX_LENGTH:
        return None  # no such site can exist (and PostgreSQL refuses NUL)
    if site_id is not None:
        cutoff = connection.ops.adapt_datetimefield_value(timezone.now() - DOMAIN_CHANGE_GRACE)
        sql = _site_lookup_sql("domain")
        values = [user.pk, user.pk, site_id, site_id, cutoff, site_id]
    else:
        sql, values = _site_lookup_sql("key"), [user.pk, user.pk, site_key, ""]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    site_values, team_values, tracker_values, (team_role, guest_role) = split_row(
        row, _SITES, _SITE_TEAMS, _TRACKERS
    )
    site = _SITES.build(site_values)
    site.team = _SITE_TEAMS.build(team_values)
    tracker = _TRACKERS.build(tracker_values)
    Site.tracker_script_configuration.related.set_cached_value(site, tracker)
    if tracker is not None:
        tracker.site = site
    site.team_role, site.guest_role = team_role, guest_role
    return site


def sites_visible_to(*, user: User, team: Team | None, role_in_team: str | None) -> QuerySet[Site]:
    """GET /api/v1/sites. With a team (the key's, or `team_id`'s; access has checked
    membership): that team's sites, for a full member only (a guest of some of
    its sites sees none). Without: every site of the user's teams and every site
    they are a guest of."""
    if team is not None:
        if role_in_team is None or role_in_team == GUEST_ROLE:
            return Site.objects.none()
        return Site.objects.filter(team=team)
    return Site.objects.filter(
        Q(team__in=Membership.objects.filter(user=user).values("team"))
        | Q(pk__in=GuestMembership.objects.filter(user=user).values("site"))
    )


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

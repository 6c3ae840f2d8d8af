"""Reads on sites. Access decisions are made by `apikeys.access`; these functions
only answer "which rows", each in a constant number of queries."""

from datetime import timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from sites.models import DOMAIN_MAX_LENGTH, Goal, GuestInvitation, GuestMembership, Site
from teams.models import Membership, Team
from teams.selectors import GUEST_ROLE

# After a domain change the old domain keeps resolving this long (spec §7.3).
DOMAIN_CHANGE_GRACE = timedelta(hours=72)


def site_for_user(
    *, user: User, site_id: str | None = None, site_key: str | None = None
) -> Site | None:
    """The site named `site_id` (its domain, or its previous domain during the grace
    period) or `site_key` (the resource dialect's key), with its team, tracker
    configuration and the user's roles on it, in one query.

    The result carries `team_role` (the user's role in the site's team, or None) and
    `guest_role` (their guest role on this site, or None). Access decisions are made
    by `apikeys.access`, not here."""
    lookup = site_id if site_id is not None else site_key
    if not lookup or "\x00" in lookup or len(lookup) > DOMAIN_MAX_LENGTH:
        return None  # no such site can exist (and PostgreSQL refuses NUL)
    cutoff = timezone.now() - DOMAIN_CHANGE_GRACE
    if site_id is not None:
        named = Q(domain=site_id) | Q(domain_changed_from=site_id, domain_changed_at__gt=cutoff)
    else:
        named = Q(site_key=site_key)
    team_role = Membership.objects.filter(team=OuterRef("team"), user=user).values("role")[:1]
    guest_role = GuestMembership.objects.filter(site=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Site.objects.select_related("team", "tracker_script_configuration")
        .annotate(team_role=Subquery(team_role), guest_role=Subquery(guest_role))
        .filter(named)
        .first()
    )


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

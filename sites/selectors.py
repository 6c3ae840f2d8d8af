from datetime import timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from sites.models import GuestMembership, Site
from teams.models import Membership

# After a domain change the old domain keeps resolving this long (spec §7.3).
DOMAIN_CHANGE_GRACE = timedelta(hours=72)


def site_for_user(*, site_id: str, user: User) -> Site | None:
    """The site named `site_id` (its domain, or its previous domain during the grace
    period), with its team and the user's roles on it, in one query.

    The result carries `team_role` (the user's role in the site's team, or None) and
    `guest_role` (their guest role on this site, or None). Access decisions are made
    by `apikeys.access`, not here."""
    if "\x00" in site_id:  # PostgreSQL cannot even compare such a string
        return None
    cutoff = timezone.now() - DOMAIN_CHANGE_GRACE
    team_role = Membership.objects.filter(team=OuterRef("team"), user=user).values("role")[:1]
    guest_role = GuestMembership.objects.filter(site=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Site.objects.select_related("team")
        .annotate(team_role=Subquery(team_role), guest_role=Subquery(guest_role))
        .filter(Q(domain=site_id) | Q(domain_changed_from=site_id, domain_changed_at__gt=cutoff))
        .first()
    )

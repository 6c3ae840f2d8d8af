from django.db.models import Q

from sharedlinks.models import SharedLink
from sites.domains import lookup_domain, previous_domain_cutoff
from sites.models import DOMAIN_MAX_LENGTH, Site


def shared_link_for_page(*, domain: str, slug: str) -> SharedLink | None:
    """The link with this slug, if it belongs to the site named `domain` (its current
    domain, or its previous one during the grace period; any spelling of it)."""
    if not slug or len(slug) > 64 or "\x00" in slug or "\x00" in domain:
        return None
    domain = lookup_domain(domain)
    cutoff = previous_domain_cutoff()
    return (
        SharedLink.objects.select_related("site")
        .filter(slug=slug)
        .filter(
            Q(site__domain=domain)
            | Q(site__domain_changed_from=domain, site__domain_changed_at__gt=cutoff)
        )
        .first()
    )


def public_site_for_page(*, domain: str):
    """A site whose owner made its stats public (`public_stats`): its share page
    opens without a slug. `domain` may be any spelling of its domain."""
    domain = lookup_domain(domain)
    if "\x00" in domain or len(domain) > DOMAIN_MAX_LENGTH:
        return None
    cutoff = previous_domain_cutoff()
    return (
        Site.objects.filter(public_stats=True)
        .filter(Q(domain=domain) | Q(domain_changed_from=domain, domain_changed_at__gt=cutoff))
        .first()
    )

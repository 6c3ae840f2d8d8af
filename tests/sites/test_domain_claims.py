"""Domain claims stay consistent with sites' current and previous domains, even
when a request works from a site it read before another request changed it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sites.models import DomainClaim, Site
from sites.selectors import site_for_user
from sites.services import _forget_previous_domain, prune_expired_domain_changes, update_site

pytestmark = pytest.mark.django_db


def claims() -> set[str]:
    return set(DomainClaim.objects.values_list("domain", flat=True))


def test_a_rename_from_a_stale_read_still_claims_the_new_domain(alice, site):
    update_site(site=site, domain="b.test")
    stale = site_for_user(site_id="b.test", user=alice)  # alias alpha.test, read now
    Site.objects.filter(pk=site.pk).update(domain_changed_at=timezone.now() - timedelta(hours=73))
    assert prune_expired_domain_changes() == 1  # frees alpha.test meanwhile

    update_site(site=stale, domain="c.test")

    site.refresh_from_db()
    assert (site.domain, site.domain_changed_from) == ("c.test", "b.test")
    assert claims() == {"b.test", "c.test"}


def test_forgetting_a_previous_domain_that_changed_meanwhile_keeps_the_claims(alice, site):
    update_site(site=site, domain="b.test")
    stale = site_for_user(site_id="b.test", user=alice)  # alias alpha.test
    update_site(site=site_for_user(site_id="b.test", user=alice), domain="c.test")

    _forget_previous_domain(stale)  # alpha.test is no longer its previous domain

    site.refresh_from_db()
    assert site.domain_changed_from == "b.test"
    assert claims() == {"b.test", "c.test"}


def test_every_claim_belongs_to_a_current_or_previous_domain_after_a_rename_chain(alice, site):
    for domain in ("b.test", "c.test", "alpha.test", "d.test"):
        current = site_for_user(site_id=Site.objects.get(pk=site.pk).domain, user=alice)
        update_site(site=current, domain=domain)
    site.refresh_from_db()
    assert claims() == {site.domain, site.domain_changed_from}

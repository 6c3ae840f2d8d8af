"""Domain claims stay consistent with sites' current and previous domains, even
when a request works from a site it read before another request changed it; a
previous domain stays with its team for its 72 hours."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import create_user
from sites.domains import DOMAIN_CHANGE_GRACE, previous_domain_cutoff
from sites.models import DomainClaim, Site
from sites.selectors import site_for_user
from sites.services import _forget_previous_domain, prune_expired_domain_changes, update_site
from sites.validation import DOMAIN_TAKEN_MESSAGE
from teams.models import Role
from teams.services import add_member, create_team
from tests.site_fixtures import PROVISION

SITES = "/api/v1/sites"

pytestmark = pytest.mark.django_db


def claims() -> set[str]:
    return set(DomainClaim.objects.values_list("domain", flat=True))


def test_a_previous_domain_resolves_for_72_hours_from_its_change():
    now = timezone.now()
    assert DOMAIN_CHANGE_GRACE == timedelta(hours=72)
    assert previous_domain_cutoff(now) == now - timedelta(hours=72)
    before, cutoff, after = now, previous_domain_cutoff(), timezone.now()
    assert before - DOMAIN_CHANGE_GRACE <= cutoff <= after - DOMAIN_CHANGE_GRACE


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


class TestAPreviousDomainBelongsToItsTeam:
    """During its 72 hours a previous domain is held for the team that owns the
    site: only that team's owner, creating a site in that same team, may take it
    back. Owning the team is not enough from another team."""

    @pytest.fixture
    def gamma(self, alice):
        return create_team(name="Gamma", owner=alice)

    @pytest.fixture
    def gamma_api(self, api, alice, gamma, issue_key):
        return api.with_key(issue_key(alice, team=gamma, scopes=PROVISION))

    def test_a_key_of_another_team_of_the_same_owner_cannot_claim_the_alias(
        self, alice_api, gamma_api, renamed_site, gamma
    ):
        response = gamma_api.post(SITES, {"domain": "alpha.test"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}
        assert not Site.objects.filter(team=gamma).exists()
        renamed_site.refresh_from_db()
        assert renamed_site.domain_changed_from == "alpha.test"
        assert claims() == {"alpha.test", "renamed.test"}
        assert alice_api.get(f"{SITES}/alpha.test").json()["domain"] == "renamed.test"

    def test_naming_the_other_team_with_team_id_cannot_claim_the_alias_either(
        self, alice_api, renamed_site, gamma
    ):
        response = alice_api.post(
            SITES, {"domain": "alpha.test", "team_id": str(gamma.identifier)}, format="json"
        )
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}
        assert alice_api.get(f"{SITES}/alpha.test").json()["domain"] == "renamed.test"

    def test_a_site_in_the_owners_personal_team_cannot_claim_the_alias(
        self, alice_api, renamed_site
    ):
        # No team given: the site would go into Alice's personal team, not Alpha.
        response = alice_api.post(SITES, {"domain": "alpha.test"}, format="json")
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}
        assert alice_api.get(f"{SITES}/alpha.test").json()["domain"] == "renamed.test"

    def test_a_rename_in_another_team_of_the_same_owner_cannot_take_the_alias(
        self, alice_api, gamma_api, renamed_site, gamma, make_site
    ):
        make_site(gamma, "gamma.test")
        response = gamma_api.put(f"{SITES}/gamma.test", {"domain": "alpha.test"}, format="json")
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}
        assert Site.objects.get(team=gamma).domain == "gamma.test"
        assert alice_api.get(f"{SITES}/alpha.test").json()["domain"] == "renamed.test"

    def test_another_spelling_of_the_alias_cannot_be_claimed_from_another_team(
        self, gamma_api, renamed_site
    ):
        response = gamma_api.post(SITES, {"domain": "ALPHA.test."}, format="json")
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}

    def test_the_owner_can_take_it_back_in_the_aliass_own_team(
        self, alice_api, renamed_site, alpha
    ):
        response = alice_api.post(
            SITES, {"domain": "alpha.test", "team_id": str(alpha.identifier)}, format="json"
        )
        assert response.status_code == 200
        assert Site.objects.get(domain="alpha.test").team == alpha
        renamed_site.refresh_from_db()
        assert renamed_site.domain_changed_from is None

    def test_a_lesser_member_of_the_aliass_team_cannot_take_it(
        self, api, alice, renamed_site, alpha, issue_key
    ):
        carol = create_user(email="carol@example.com", password="carol-password-1")
        add_member(team=alpha, user=carol, role=Role.ADMIN)
        carols = api.with_key(issue_key(carol, team=alpha, scopes=PROVISION))
        response = carols.post(SITES, {"domain": "alpha.test"}, format="json")
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}

    def test_after_the_grace_period_any_team_may_take_it(self, gamma_api, renamed_site, gamma):
        Site.objects.filter(pk=renamed_site.pk).update(
            domain_changed_at=timezone.now() - timedelta(hours=72, minutes=1)
        )
        response = gamma_api.post(SITES, {"domain": "alpha.test"}, format="json")
        assert response.status_code == 200
        assert Site.objects.get(domain="alpha.test").team == gamma

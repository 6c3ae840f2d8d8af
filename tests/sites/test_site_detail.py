"""GET /api/v1/sites (#1), GET (#6), PUT (#15) and DELETE (#16) /api/v1/sites/:site_id
(docs/plausible-compat.md#endpoints)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from api.pagination import encode_cursor
from apikeys.exceptions import INVALID_API_KEY
from sharedlinks.models import SharedLink
from sites.exceptions import PAYLOAD_REQUIRED, SITE_NOT_FOUND
from sites.models import (
    DomainClaim,
    Goal,
    GuestInvitation,
    GuestMembership,
    Site,
    TrackerScriptConfiguration,
)
from sites.serializers import SiteSerializer
from sites.validation import DOMAIN_TAKEN_MESSAGE, SAME_DOMAIN_MESSAGE
from teams.models import Role
from teams.services import add_member, create_team
from tests.site_fixtures import PROVISION, READ_ONLY

SITES = "/api/v1/sites"

pytestmark = pytest.mark.django_db


def domains(response) -> list[str]:
    return [site["domain"] for site in response.json()["sites"]]


class TestListing:
    def test_it_is_empty_without_sites(self, alice_api, alice):
        assert alice_api.get(SITES).json() == {
            "sites": [],
            "meta": {"after": None, "before": None, "limit": 100},
        }

    def test_it_lists_own_sites_newest_first_as_domain_and_timezone(
        self, alice_api, alpha, make_site, charlies_site
    ):
        make_site(alpha, "one.test")
        make_site(alpha, "two.test", timezone="Europe/Tallinn")
        response = alice_api.get(SITES)
        assert response.json()["sites"] == [
            {"domain": "two.test", "timezone": "Europe/Tallinn"},
            {"domain": "one.test", "timezone": "Etc/UTC"},
        ]

    def test_guest_sites_are_listed(
        self, alice_api, alice, alpha, make_site, charlies_site, make_guest
    ):
        own = make_site(alpha, "own.test")
        make_guest(charlies_site, alice)
        assert domains(alice_api.get(SITES)) == [own.domain, "charlie.test"]

    def test_team_id_scopes_to_that_team_and_excludes_guest_sites(
        self, alice_api, alice, charlie, alpha, make_site, charlies_site, make_guest
    ):
        make_site(alpha, "own.test")
        viewing = create_team(name="Viewing", owner=charlie)
        add_member(team=viewing, user=alice, role=Role.VIEWER)
        make_site(viewing, "viewing.test")
        make_guest(charlies_site, alice)
        assert domains(alice_api.get(SITES, {"team_id": str(viewing.identifier)})) == [
            "viewing.test"
        ]

    def test_a_guest_naming_the_team_gets_an_empty_list(
        self, alice_api, alice, charlies_team, charlies_site, make_guest
    ):
        make_guest(charlies_site, alice)
        response = alice_api.get(SITES, {"team_id": str(charlies_team.identifier)})
        assert response.status_code == 200
        assert response.json()["sites"] == []

    def test_a_team_scoped_key_lists_only_its_team(
        self, api, alice, alpha, beta, make_site, issue_key
    ):
        make_site(alpha, "alpha.test")
        make_site(beta, "beta.test")
        key = issue_key(alice, team=beta, scopes=PROVISION)
        response = api.with_key(key).get(SITES, {"team_id": str(alpha.identifier)})
        assert domains(response) == ["beta.test"]

    def test_it_pages_with_cursors(self, alice_api, alpha, make_site):
        first, second, third = (make_site(alpha, f"s{n}.test") for n in (1, 2, 3))
        page_one = alice_api.get(SITES, {"limit": 2}).json()
        assert [s["domain"] for s in page_one["sites"]] == [third.domain, second.domain]
        assert page_one["meta"]["before"] is None
        assert page_one["meta"]["after"] == encode_cursor(second.pk)
        page_two = alice_api.get(SITES, {"limit": 2, "after": page_one["meta"]["after"]}).json()
        assert [s["domain"] for s in page_two["sites"]] == [first.domain]
        assert isinstance(page_two["meta"]["before"], str)
        assert page_two["meta"]["after"] is None
        back = alice_api.get(SITES, {"limit": 2, "before": page_two["meta"]["before"]}).json()
        assert [s["domain"] for s in back["sites"]] == [third.domain, second.domain]

    def test_a_read_only_key_lists(self, api, alice, alpha, make_site, issue_key):
        make_site(alpha, "one.test")
        response = api.with_key(issue_key(alice, scopes=READ_ONLY)).get(SITES)
        assert response.status_code == 200 and domains(response) == ["one.test"]


class TestGetting:
    def test_it_returns_the_full_site_with_properties_in_stored_order(self, alice_api, site):
        Site.objects.filter(pk=site.pk).update(allowed_event_props=["logged_in", "author"])
        body = alice_api.get(f"{SITES}/alpha.test").json()
        assert set(body) == {
            "domain",
            "timezone",
            "custom_properties",
            "tracker_script_configuration",
        }
        assert body["custom_properties"] == ["logged_in", "author"]
        assert len(body["tracker_script_configuration"]) == 10

    @pytest.mark.parametrize(
        "configuration",
        [
            {},
            {"installation_type": "wordpress", "outbound_links": True, "hash_based_routing": True},
            {"installation_type": None, "file_downloads": True, "form_submissions": True},
        ],
    )
    def test_the_fast_representation_equals_the_declared_fields(self, site, configuration):
        """SiteSerializer builds its body by hand; DRF's field-by-field rendering of
        the same declared fields must give the same keys, order and values."""
        Site.objects.filter(pk=site.pk).update(allowed_event_props=["b", "a"])
        TrackerScriptConfiguration.objects.filter(site=site).update(**configuration)
        site = Site.objects.select_related("tracker_script_configuration").get(pk=site.pk)
        serializer = SiteSerializer(site)
        by_fields = serializers.Serializer.to_representation(serializer, site)
        fast = serializer.data
        assert json.dumps(fast) == json.dumps(by_fields)

    def test_a_missing_configuration_is_created_lazily(self, alice_api, alpha):
        Site.objects.create(team=alpha, domain="bare.test")
        body = alice_api.get(f"{SITES}/bare.test").json()
        assert body["tracker_script_configuration"]["id"].startswith("pa-")

    def test_the_old_domain_returns_the_new_one(self, alice_api, renamed_site):
        assert alice_api.get(f"{SITES}/alpha.test").json()["domain"] == "renamed.test"

    def test_the_old_domain_stops_resolving_after_72_hours(self, alice_api, renamed_site):
        Site.objects.filter(pk=renamed_site.pk).update(
            domain_changed_at=timezone.now() - timedelta(hours=72, minutes=1)
        )
        assert alice_api.get(f"{SITES}/alpha.test").status_code == 404

    def test_a_read_only_key_gets_it(self, api, alice, site, issue_key):
        assert (
            api.with_key(issue_key(alice, scopes=READ_ONLY)).get(f"{SITES}/alpha.test").status_code
            == 200
        )

    def test_a_domain_with_a_slash_is_reached_percent_encoded(self, alice_api, alpha, make_site):
        make_site(alpha, "example.com/blog")
        assert alice_api.get(f"{SITES}/example.com%2Fblog").json()["domain"] == "example.com/blog"

    def test_a_trailing_slash_is_tolerated(self, alice_api, site):
        assert alice_api.get(f"{SITES}/alpha.test/").status_code == 200

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        response = api.with_key(issue_key(alice, team=beta)).get(f"{SITES}/alpha.test")
        assert response.status_code == 401

    def test_an_unknown_site_is_404(self, alice_api, alice):
        response = alice_api.get(f"{SITES}/foobar.baz")
        assert response.status_code == 404
        assert response.json() == {"error": SITE_NOT_FOUND}

    def test_a_non_member_is_401(self, alice_api, charlies_site):
        response = alice_api.get(f"{SITES}/charlie.test")
        assert response.status_code == 401
        assert "Invalid API key" in response.json()["error"]

    def test_a_billing_member_gets_404(self, api, bob, alpha, site, issue_key):
        add_member(team=alpha, user=bob, role=Role.BILLING)
        response = api.with_key(issue_key(bob)).get(f"{SITES}/alpha.test")
        assert response.status_code == 404


class TestUpdating:
    def put(self, alice_api, body, domain="alpha.test"):
        return alice_api.put(f"{SITES}/{domain}", body, format="json")

    def test_it_changes_the_domain_and_keeps_the_old_one(self, alice_api, site):
        response = self.put(alice_api, {"domain": "new.test"})
        assert response.status_code == 200
        assert response.json()["domain"] == "new.test"
        assert response.json()["timezone"] == "Etc/UTC"
        site.refresh_from_db()
        assert site.domain_changed_from == "alpha.test"
        assert site.domain_changed_at is not None

    def test_the_configuration_is_merged(self, alice_api, site):
        self.put(alice_api, {"tracker_script_configuration": {"installation_type": "gtm"}})
        body = self.put(
            alice_api, {"tracker_script_configuration": {"form_submissions": True}}
        ).json()
        tracker = body["tracker_script_configuration"]
        assert tracker["installation_type"] == "gtm"
        assert tracker["form_submissions"] is True
        assert tracker["outbound_links"] is False

    def test_domain_and_configuration_change_together(self, alice_api, site):
        body = self.put(
            alice_api,
            {"domain": "both.test", "tracker_script_configuration": {"outbound_links": True}},
        ).json()
        assert body["domain"] == "both.test"
        assert body["tracker_script_configuration"]["outbound_links"] is True

    def test_a_failed_configuration_rolls_the_domain_back(self, alice_api, site):
        response = self.put(
            alice_api,
            {"domain": "rolled.test", "tracker_script_configuration": {"installation_type": "x"}},
        )
        assert response.status_code == 400
        assert response.json() == {
            "error": "tracker_script_configuration.installation_type: is invalid"
        }
        site.refresh_from_db()
        assert site.domain == "alpha.test" and site.domain_changed_from is None
        assert not DomainClaim.objects.filter(domain="rolled.test").exists()

    def test_flags_switched_off_delete_their_goals(self, alice_api, site):
        self.put(alice_api, {"tracker_script_configuration": {"outbound_links": True}})
        assert Goal.objects.filter(site=site, event_name="Outbound Link: Click").exists()
        self.put(alice_api, {"tracker_script_configuration": {"outbound_links": "false"}})
        assert not Goal.objects.filter(site=site, event_name="Outbound Link: Click").exists()

    def test_a_payload_without_either_parameter_is_400(self, alice_api, site):
        response = self.put(alice_api, {"foo": "bar"})
        assert response.status_code == 400
        assert response.json() == {"error": PAYLOAD_REQUIRED}

    def test_the_payload_check_comes_before_the_site_lookup(self, alice_api, alice):
        assert self.put(alice_api, {"foo": "bar"}, domain="missing.test").json() == {
            "error": PAYLOAD_REQUIRED
        }

    @pytest.mark.parametrize(
        ("domain", "message"),
        [
            (123, "domain: is invalid"),
            ("", "domain: can't be blank"),
            ("alpha.test", f"domain: {SAME_DOMAIN_MESSAGE}"),
            ("https://www.ALPHA.test/", f"domain: {SAME_DOMAIN_MESSAGE}"),
            ("a&b.test", "domain: must not contain URI reserved characters :?#[]@!$&'()*+,;="),
        ],
    )
    def test_bad_domains_are_400(self, alice_api, site, domain, message):
        response = self.put(alice_api, {"domain": domain})
        assert response.status_code == 400
        assert response.json() == {"error": message}

    def test_a_taken_domain_is_400(self, alice_api, site, charlies_site):
        assert self.put(alice_api, {"domain": "charlie.test"}).json() == {
            "error": f"domain: {DOMAIN_TAKEN_MESSAGE}"
        }

    def test_a_null_domain_changes_nothing(self, alice_api, site):
        assert self.put(alice_api, {"domain": None}).json()["domain"] == "alpha.test"

    def test_an_invalid_flag_is_400(self, alice_api, site):
        response = self.put(
            alice_api, {"tracker_script_configuration": {"form_submissions": "an invalid value"}}
        )
        assert response.json() == {
            "error": "tracker_script_configuration.form_submissions: is invalid"
        }

    def test_a_second_rename_frees_the_first_old_domain(self, alice_api, renamed_site):
        assert (
            self.put(alice_api, {"domain": "third.test"}, domain="renamed.test").status_code == 200
        )
        renamed_site.refresh_from_db()
        assert renamed_site.domain_changed_from == "renamed.test"
        assert alice_api.get(f"{SITES}/alpha.test").status_code == 404
        assert alice_api.post(SITES, {"domain": "alpha.test"}, format="json").status_code == 200

    def test_an_expired_old_domain_can_be_registered_by_anyone(
        self, api, charlie, renamed_site, issue_key
    ):
        Site.objects.filter(pk=renamed_site.pk).update(
            domain_changed_at=timezone.now() - timedelta(hours=73)
        )
        charlies = api.with_key(issue_key(charlie, scopes=PROVISION))
        assert charlies.post(SITES, {"domain": "alpha.test"}, format="json").status_code == 200

    def test_a_viewer_gets_404(self, api, bob, site, issue_key):
        response = api.with_key(issue_key(bob, scopes=PROVISION)).put(
            f"{SITES}/alpha.test", {"domain": "x.test"}, format="json"
        )
        assert response.status_code == 404

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        key = issue_key(alice, team=beta, scopes=PROVISION)
        assert self.put(api.with_key(key), {"domain": "x.test"}).status_code == 401


class TestDeleting:
    def test_it_deletes_the_site_and_everything_hanging_off_it(
        self, alice_api, site, bob, charlie, make_guest
    ):
        alice_api.put(
            "/api/v1/sites/goals",
            {"site_id": "alpha.test", "goal_type": "event", "event_name": "A"},
            format="json",
        )
        alice_api.put(
            "/api/v1/sites/shared-links", {"site_id": "alpha.test", "name": "L"}, format="json"
        )
        alice_api.put(
            "/api/v1/sites/guests",
            {"site_id": "alpha.test", "email": "x@example.com", "role": "viewer"},
            format="json",
        )
        make_guest(site, charlie)
        response = alice_api.delete(f"{SITES}/alpha.test")
        assert response.status_code == 200
        assert response.json() == {"deleted": True}
        for model in (Site, Goal, SharedLink, GuestInvitation, GuestMembership, DomainClaim):
            assert model.objects.count() == 0, model

    def test_the_old_domain_addresses_it(self, alice_api, renamed_site):
        assert alice_api.delete(f"{SITES}/alpha.test").json() == {"deleted": True}
        assert not Site.objects.exists()

    def test_an_unknown_site_is_404(self, alice_api, alice):
        assert alice_api.delete(f"{SITES}/foobar.baz").json() == {"error": SITE_NOT_FOUND}

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
    def test_only_the_owner_may_delete(self, api, bob, alpha, site, issue_key, role):
        add_member(team=alpha, user=bob, role=role)
        response = api.with_key(issue_key(bob, scopes=PROVISION)).delete(f"{SITES}/alpha.test")
        assert response.status_code == 404
        assert Site.objects.filter(pk=site.pk).exists()

    def test_a_guest_editor_gets_402_when_the_team_lacks_sites_api(
        self, alice_api, alice, charlies_site, make_guest, entitle
    ):
        make_guest(charlies_site, alice, role="editor")
        entitle(charlies_site.team, "stats_api")
        response = alice_api.delete(f"{SITES}/charlie.test")
        assert response.status_code == 402
        assert "API key does not have access to Sites API" in response.json()["error"]

    def test_a_guest_editor_gets_404(self, alice_api, alice, charlies_site, make_guest):
        make_guest(charlies_site, alice, role="editor")
        assert alice_api.delete(f"{SITES}/charlie.test").status_code == 404

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        key = issue_key(alice, team=beta, scopes=PROVISION)
        response = api.with_key(key).delete(f"{SITES}/alpha.test")
        assert response.status_code == 401
        assert "Invalid API key" in response.json()["error"]

    def test_a_read_only_key_is_401(self, api, alice, site, issue_key):
        response = api.with_key(issue_key(alice, scopes=READ_ONLY)).delete(f"{SITES}/alpha.test")
        assert response.json() == {"error": INVALID_API_KEY}


class TestRouting:
    """Plausible matches method and path: literal routes only shadow their methods."""

    @pytest.mark.parametrize(
        "literal", ["teams", "goals", "custom-props", "guests", "shared-links"]
    )
    def test_a_site_named_like_a_literal_route_is_reached_by_other_methods(
        self, alice_api, alpha, make_site, literal
    ):
        make_site(alpha, literal)
        response = alice_api.delete(f"{SITES}/{literal}")
        assert response.status_code == 200, response.json()
        assert not Site.objects.filter(domain=literal).exists()

    def test_get_teams_is_still_the_teams_list(self, alice_api, alpha, make_site):
        make_site(alpha, "teams")
        assert "teams" in alice_api.get(f"{SITES}/teams").json()
        assert alice_api.get(f"{SITES}/shared-links").status_code == 404  # a site, not found

    def test_an_unexpected_failure_is_a_json_500(self, alice_api, site, monkeypatch):
        from sites import services

        def explode(**kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(services, "delete_site", explode)
        alice_api.raise_request_exception = False
        response = alice_api.delete(f"{SITES}/alpha.test")
        assert response.status_code == 500
        assert response.json() == {"error": "internal server error"}

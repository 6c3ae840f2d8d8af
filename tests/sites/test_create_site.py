"""POST /api/v1/sites (docs/plausible-compat.md#create-a-site)."""

import pytest

from api import errors
from apikeys.exceptions import INVALID_API_KEY
from sites.models import DomainClaim, Goal, Site, TrackerScriptConfiguration
from sites.services import AMBIGUOUS_PERSONAL_TEAM, CANNOT_ADD_TO_TEAM, SITE_LIMIT_REACHED
from sites.validation import (
    DOMAIN_TAKEN_MESSAGE,
    FORMAT_MESSAGE,
    RESERVED_CHARACTERS_MESSAGE,
)
from teams.exceptions import TEAM_LOCKED
from teams.models import PERSONAL_TEAM_NAME, Feature, Membership, Role, Team
from teams.services import add_member, create_team, set_team_entitlements
from tests.site_fixtures import READ_ONLY

SITES = "/api/v1/sites"
TRACKER_KEYS = {
    "id",
    "installation_type",
    "track_404_pages",
    "hash_based_routing",
    "outbound_links",
    "file_downloads",
    "revenue_tracking",
    "tagged_events",
    "form_submissions",
    "pageview_props",
}

pytestmark = pytest.mark.django_db


def create(alice_api, **body):
    return alice_api.post(SITES, body, format="json")


class TestCreating:
    def test_it_creates_a_site_with_the_exact_shape(self, alice_api, alpha):
        response = create(
            alice_api,
            domain="some-site.domain",
            timezone="Europe/Tallinn",
            team_id=str(alpha.identifier),
        )
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "domain",
            "timezone",
            "custom_properties",
            "tracker_script_configuration",
        }
        assert body["domain"] == "some-site.domain"
        assert body["timezone"] == "Europe/Tallinn"
        assert body["custom_properties"] == []
        tracker = body["tracker_script_configuration"]
        assert set(tracker) == TRACKER_KEYS
        assert tracker["id"].startswith("pa-") and len(tracker["id"]) == 24
        assert tracker["installation_type"] is None
        assert not any(tracker[flag] for flag in TRACKER_KEYS - {"id", "installation_type"})
        assert Site.objects.get(domain="some-site.domain").team == alpha

    def test_the_site_limit_is_a_402_with_the_number(self, alice_api, alpha, make_site):
        set_team_entitlements(team=alpha, site_limit=1)
        make_site(alpha, "first.test")
        response = create(alice_api, domain="second.test", team_id=str(alpha.identifier))
        assert response.status_code == 402
        assert response.json() == {"error": SITE_LIMIT_REACHED.format(limit=1)}
        assert "limit of 1 sites" in response.json()["error"]
        assert not Site.objects.filter(domain="second.test").exists()

    def test_the_site_limit_is_checked_before_the_domain(self, alice_api, alpha, make_site):
        set_team_entitlements(team=alpha, site_limit=1)
        make_site(alpha, "first.test")
        response = create(alice_api, domain="b&c.test", team_id=str(alpha.identifier))
        assert response.status_code == 402

    def test_no_site_limit_means_unlimited(self, alice_api, alpha, make_site):
        for number in range(12):
            make_site(alpha, f"s{number}.test")
        assert (
            create(alice_api, domain="more.test", team_id=str(alpha.identifier)).status_code == 200
        )

    def test_a_tracker_configuration_is_echoed(self, alice_api, alpha):
        response = create(
            alice_api,
            domain="tracked.test",
            team_id=str(alpha.identifier),
            tracker_script_configuration={
                "installation_type": "wordpress",
                "file_downloads": True,
                "form_submissions": "true",
                "unknown_key": "ignored",
            },
        )
        tracker = response.json()["tracker_script_configuration"]
        assert tracker["installation_type"] == "wordpress"
        assert tracker["file_downloads"] is True and tracker["form_submissions"] is True
        assert tracker["outbound_links"] is False

    def test_enabled_flags_create_their_goals(self, alice_api, alpha):
        create(
            alice_api,
            domain="goals.test",
            team_id=str(alpha.identifier),
            tracker_script_configuration={"file_downloads": True, "track_404_pages": True},
        )
        names = set(
            Goal.objects.filter(site__domain="goals.test").values_list("event_name", flat=True)
        )
        assert names == {"File Download", "404"}

    def test_a_form_encoded_body_with_nested_configuration_works(self, alice_api, alpha):
        response = alice_api.post(
            SITES,
            f"domain=form.test&team_id={alpha.identifier}"
            "&tracker_script_configuration[installation_type]=manual"
            "&tracker_script_configuration[outbound_links]=true",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        tracker = response.json()["tracker_script_configuration"]
        assert tracker["installation_type"] == "manual" and tracker["outbound_links"] is True

    def test_a_multipart_body_works(self, alice_api, alpha):
        response = alice_api.post(
            SITES,
            {
                "domain": "multi.test",
                "team_id": str(alpha.identifier),
                "tracker_script_configuration[file_downloads]": "true",
            },
            format="multipart",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["tracker_script_configuration"]["file_downloads"] is True

    def test_parameters_in_the_query_string_work(self, alice_api, alpha):
        response = alice_api.post(f"{SITES}?domain=query.test&team_id={alpha.identifier}")
        assert response.status_code == 200
        assert response.json()["domain"] == "query.test"


class TestTargetTeam:
    def test_without_team_id_it_creates_the_personal_team(self, alice_api, alice):
        response = create(alice_api, domain="personal.test")
        assert response.status_code == 200
        team = Site.objects.get(domain="personal.test").team
        assert team.setup_complete is False and team.display_name == PERSONAL_TEAM_NAME
        assert Membership.objects.get(team=team).user == alice
        assert Membership.objects.get(team=team).role == Role.OWNER

    def test_the_personal_team_is_reused(self, alice_api):
        create(alice_api, domain="one.test")
        create(alice_api, domain="two.test")
        teams = {site.team_id for site in Site.objects.filter(domain__in=["one.test", "two.test"])}
        assert len(teams) == 1

    def test_an_unknown_team_id_is_refused_not_a_fallback_to_the_personal_team(self, alice_api):
        # Reversed from Plausible: docs/plausible-compat.md#verification, test_unknown_team_id.py.
        response = create(alice_api, domain="fallback.test", team_id="not-a-uuid")
        assert response.status_code == 400
        assert not Site.objects.filter(domain="fallback.test").exists()

    def test_two_personal_teams_are_ambiguous(self, alice_api, alice):
        for _ in range(2):
            team = Team.objects.create(name="x", setup_complete=False)
            add_member(team=team, user=alice, role=Role.OWNER)
        response = create(alice_api, domain="which.test")
        assert response.status_code == 400
        assert response.json() == {"error": AMBIGUOUS_PERSONAL_TEAM}

    def test_an_ambiguous_personal_team_is_reported_before_the_domain(self, alice_api, alice):
        for _ in range(2):
            team = Team.objects.create(name="x", setup_complete=False)
            add_member(team=team, user=alice, role=Role.OWNER)
        assert create(alice_api, domain="b&c.test").json() == {"error": AMBIGUOUS_PERSONAL_TEAM}

    def test_a_guest_of_the_team_gets_403_not_401(
        self, alice_api, alice, charlies_team, charlies_site, make_guest
    ):
        make_guest(charlies_site, alice)
        response = create(alice_api, domain="x.test", team_id=str(charlies_team.identifier))
        assert response.status_code == 403
        assert response.json() == {"error": CANNOT_ADD_TO_TEAM}

    def test_a_team_where_the_user_is_a_viewer_is_403(self, alice_api, alice, charlie):
        team = create_team(name="Viewing", owner=charlie)
        add_member(team=team, user=alice, role=Role.VIEWER)
        response = create(alice_api, domain="nope.test", team_id=str(team.identifier))
        assert response.status_code == 403
        assert response.json() == {"error": CANNOT_ADD_TO_TEAM}
        assert not Site.objects.filter(domain="nope.test").exists()

    def test_a_team_without_sites_api_is_402_before_the_role(self, alice_api, alice, charlie):
        team = create_team(name="Growth", owner=charlie)
        add_member(team=team, user=alice, role=Role.VIEWER)
        set_team_entitlements(team=team, features=[Feature.STATS_API])
        response = create(alice_api, domain="nope.test", team_id=str(team.identifier))
        assert response.status_code == 402
        assert "API key does not have access to Sites API" in response.json()["error"]

    def test_a_team_scoped_key_creates_in_its_team_and_ignores_team_id(
        self, api, alice, alpha, beta, issue_key
    ):
        key = issue_key(alice, team=beta, scopes=["sites:provision:*"])
        response = api.with_key(key).post(
            SITES, {"domain": "scoped.test", "team_id": str(alpha.identifier)}, format="json"
        )
        assert response.status_code == 200
        assert Site.objects.get(domain="scoped.test").team == beta

    def test_a_locked_personal_team_cannot_add_sites(self, alice_api, alice):
        create(alice_api, domain="first.test")
        personal = Site.objects.get(domain="first.test").team
        set_team_entitlements(team=personal, locked=True)
        response = create(alice_api, domain="second.test")
        assert response.status_code == 402
        assert response.json() == {"error": TEAM_LOCKED}

    def test_a_read_only_key_is_401(self, api, alice, issue_key):
        key = issue_key(alice, scopes=READ_ONLY)
        response = api.with_key(key).post(SITES, {"site": {"domain": "x.test"}}, format="json")
        assert response.status_code == 401
        assert response.json() == {"error": INVALID_API_KEY}


class TestValidation:
    def test_the_timezone_is_validated(self, alice_api):
        response = create(alice_api, domain="tz.test", timezone="d")
        assert response.status_code == 400
        assert response.json() == {"error": "timezone: is invalid"}

    @pytest.mark.parametrize("timezone", ["", None, 5, "Mars/Olympus"])
    def test_blank_null_and_unknown_timezones_are_invalid(self, alice_api, timezone):
        assert create(alice_api, domain="tz.test", timezone=timezone).json() == {
            "error": "timezone: is invalid"
        }

    def test_the_timezone_defaults_to_etc_utc(self, alice_api):
        assert create(alice_api, domain="utc.test").json()["timezone"] == "Etc/UTC"

    def test_a_backward_link_timezone_is_accepted(self, alice_api):
        assert create(alice_api, domain="utc.test", timezone="UTC").status_code == 200

    def test_the_domain_is_required(self, alice_api):
        response = create(alice_api)
        assert response.status_code == 400
        assert response.json() == {"error": "domain: can't be blank"}

    def test_an_invalid_timezone_outranks_a_blank_domain(self, alice_api):
        assert create(alice_api, domain="  ", timezone="d").json() == {
            "error": "timezone: is invalid"
        }

    def test_reserved_characters_outrank_the_timezone(self, alice_api):
        assert create(alice_api, domain="a:b.test", timezone="d").json() == {
            "error": f"domain: {RESERVED_CHARACTERS_MESSAGE}"
        }

    @pytest.mark.parametrize("domain", ["müllers-café.test", "音乐.cn", "до.101домен.рф/pages"])
    def test_international_domain_names_are_accepted_unchanged(self, alice_api, domain):
        response = create(alice_api, domain=domain)
        assert response.status_code == 200
        assert response.json()["domain"] == domain

    @pytest.mark.parametrize(
        "domain", ["quero:café.test", "h&llo.test", "iamnotsur&about?this.com"]
    )
    def test_uri_breaking_domains_are_refused(self, alice_api, domain):
        response = create(alice_api, domain=domain)
        assert response.status_code == 400
        assert "domain: must not contain URI reserved characters" in response.json()["error"]

    @pytest.mark.parametrize("domain", ["with space.test", "emoji😀.test", "tab\t.test"])
    def test_other_characters_fail_the_format(self, alice_api, domain):
        assert create(alice_api, domain=domain).json() == {"error": f"domain: {FORMAT_MESSAGE}"}

    def test_a_nul_character_anywhere_is_400(self, alice_api):
        response = create(alice_api, domain="nul\x00.test")
        assert response.status_code == 400
        assert response.json() == {"error": errors.NUL_IN_PARAMETERS}
        nested = create(alice_api, domain="ok.test", tracker_script_configuration={"x\x00": 1})
        assert nested.json() == {"error": errors.NUL_IN_PARAMETERS}

    @pytest.mark.parametrize(
        ("given", "stored"),
        [
            ("https://www.Example.com/", "example.com"),
            ("  HTTP://http://site.test//  ", "site.test"),
            ("www.www.blog.test/path/", "blog.test/path"),
        ],
    )
    def test_the_domain_is_normalised(self, alice_api, given, stored):
        assert create(alice_api, domain=given).json()["domain"] == stored

    @pytest.mark.parametrize("domain", [123, ["a.test"], {"a": 1}, True])
    def test_a_non_string_domain_is_invalid(self, alice_api, domain):
        assert create(alice_api, domain=domain).json() == {"error": "domain: is invalid"}

    def test_a_domain_longer_than_the_column_is_a_clear_400(self, alice_api):
        response = create(alice_api, domain="a" * 300 + ".test")
        assert response.status_code == 400
        assert response.json() == {"error": "domain: should be at most 255 character(s)"}

    def test_a_taken_domain_is_refused(self, alice_api, charlies_site):
        response = create(alice_api, domain="charlie.test")
        assert response.status_code == 400
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}

    def test_another_sites_previous_domain_is_taken(
        self, alice_api, api, charlie, charlies_site, issue_key
    ):
        charlies = api.with_key(issue_key(charlie, scopes=["sites:provision:*"]))
        assert (
            charlies.put(
                "/api/v1/sites/charlie.test", {"domain": "moved.test"}, format="json"
            ).status_code
            == 200
        )
        response = create(alice_api, domain="charlie.test")
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}

    def test_the_owner_can_take_back_their_own_previous_domain_in_its_team(
        self, alice_api, renamed_site, alpha
    ):
        response = create(alice_api, domain="alpha.test", team_id=str(alpha.identifier))
        assert response.status_code == 200
        renamed_site.refresh_from_db()
        assert renamed_site.domain_changed_from is None
        assert set(DomainClaim.objects.values_list("domain", flat=True)) == {
            "alpha.test",
            "renamed.test",
        }

    def test_an_invalid_configuration_reports_the_first_field_in_cast_order(self, alice_api):
        response = create(
            alice_api,
            domain="cfg.test",
            tracker_script_configuration={"installation_type": "bad", "track_404_pages": "x"},
        )
        assert response.json() == {
            "error": "tracker_script_configuration.installation_type: is invalid"
        }
        response = create(
            alice_api,
            domain="cfg.test",
            tracker_script_configuration={"installation_type": "manual", "track_404_pages": "x"},
        )
        assert response.json() == {
            "error": "tracker_script_configuration.track_404_pages: is invalid"
        }

    def test_a_non_object_configuration_is_invalid(self, alice_api):
        response = create(alice_api, domain="cfg.test", tracker_script_configuration="manual")
        assert response.json() == {"error": "tracker_script_configuration: is invalid"}

    def test_a_failed_configuration_inserts_nothing(self, alice_api, alice):
        response = create(
            alice_api,
            domain="atomic.test",
            tracker_script_configuration={"installation_type": "bad"},
        )
        assert response.status_code == 400
        assert not Site.objects.filter(domain="atomic.test").exists()
        assert not DomainClaim.objects.filter(domain="atomic.test").exists()
        assert not Team.objects.filter(memberships__user=alice, setup_complete=False).exists()
        assert TrackerScriptConfiguration.objects.count() == 0

        retry = create(
            alice_api,
            domain="atomic.test",
            tracker_script_configuration={"installation_type": "manual"},
        )
        assert retry.status_code == 200

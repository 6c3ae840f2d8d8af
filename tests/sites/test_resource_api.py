"""The resource dialect, /api/v1/analytics/sites (seed 002): every endpoint and
status, the 422 envelope, scope equivalence, cross-team 404, and that both dialects
read and write the same sites."""

import re
import uuid

import pytest

from api import errors
from apikeys.exceptions import INVALID_API_KEY, MISSING_API_KEY
from sites.exceptions import SITE_NOT_FOUND
from sites.models import Site
from sites.resource.errors import VALIDATION_FAILED
from sites.validation import DOMAIN_TAKEN_MESSAGE, FORMAT_MESSAGE, RESERVED_CHARACTERS_MESSAGE
from teams.exceptions import FEATURE_MISSING
from teams.models import Feature, Role
from teams.services import add_member, set_team_entitlements
from tests.site_fixtures import PROVISION, READ_ONLY

SITES = "/api/v1/analytics/sites"
FIELDS = {"id", "domain", "name", "site_key", "public_stats", "created_at"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(api, alice, alpha, issue_key):
    return api.with_key(issue_key(alice, team=alpha, scopes=["analytics:write"]))


@pytest.fixture
def reader(api, alice, alpha, issue_key):
    return api.with_key(issue_key(alice, team=alpha, scopes=["analytics:read"]))


def create(client, **body):
    return client.post(SITES, body, format="json")


def error(response) -> str:
    return response.json()["error"]["message"]


class TestCreate:
    def test_it_creates_with_201_and_exactly_six_fields(self, writer, alpha):
        response = create(writer, domain="example.com", name="My Website")
        assert response.status_code == 201
        data = response.json()["data"]
        assert set(data) == FIELDS and set(response.json()) == {"data"}
        assert (data["domain"], data["name"], data["public_stats"]) == (
            "example.com",
            "My Website",
            False,
        )
        assert uuid.UUID(data["id"])
        assert re.fullmatch(r"sk_[a-z0-9]{24}", data["site_key"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["created_at"])
        assert Site.objects.get(site_key=data["site_key"]).team == alpha

    def test_every_invalid_field_is_reported_at_once(self, writer):
        response = create(writer, domain="bad&domain?.test", name="")
        assert response.status_code == 422
        assert response.json() == {
            "error": {
                "message": VALIDATION_FAILED,
                "details": {
                    "domain": [RESERVED_CHARACTERS_MESSAGE, FORMAT_MESSAGE],
                    "name": ["can't be blank"],
                },
            }
        }

    def test_domain_and_name_are_required(self, writer):
        details = create(writer).json()["error"]["details"]
        assert details == {"domain": ["can't be blank"], "name": ["can't be blank"]}

    def test_a_taken_domain_is_422(self, writer, charlies_site):
        response = create(writer, domain="charlie.test", name="Mine")
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {"domain": [DOMAIN_TAKEN_MESSAGE]}

    def test_the_same_domain_rules_as_the_plausible_dialect(self, writer):
        data = create(writer, domain="https://www.Example.org/", name="x").json()["data"]
        assert data["domain"] == "example.org"

    def test_the_site_limit_is_402_in_the_envelope(self, writer, alpha, make_site):
        make_site(alpha, "one.test")
        set_team_entitlements(team=alpha, site_limit=1)
        response = create(writer, domain="two.test", name="Two")
        assert response.status_code == 402
        assert "limit of 1 sites" in error(response)


class TestReadUpdateDelete:
    def test_get_by_key(self, reader, site):
        response = reader.get(f"{SITES}/{site.site_key}")
        assert response.status_code == 200
        assert response.json()["data"]["domain"] == "alpha.test"
        assert response.json()["data"]["name"] == "alpha.test"  # defaults to the domain

    def test_an_unknown_key_is_404_in_the_envelope(self, reader, site):
        response = reader.get(f"{SITES}/sk_nope")
        assert response.status_code == 404
        assert response.json() == {"error": {"message": SITE_NOT_FOUND}}

    def test_patch_name_and_public_stats(self, writer, site):
        response = writer.patch(
            f"{SITES}/{site.site_key}",
            {"name": "Main Website", "public_stats": True},
            format="json",
        )
        assert response.status_code == 200
        data = response.json()["data"]
        assert (data["name"], data["public_stats"], data["site_key"]) == (
            "Main Website",
            True,
            site.site_key,
        )

    def test_patch_domain_keeps_the_old_one_resolving(self, writer, alice_api, site):
        response = writer.patch(f"{SITES}/{site.site_key}", {"domain": "moved.test"}, format="json")
        assert response.json()["data"]["domain"] == "moved.test"
        assert alice_api.get("/api/v1/sites/alpha.test").json()["domain"] == "moved.test"

    def test_patch_reports_every_invalid_field(self, writer, site):
        response = writer.patch(
            f"{SITES}/{site.site_key}",
            {"domain": "a b", "name": 5, "public_stats": "maybe"},
            format="json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {
            "domain": [FORMAT_MESSAGE],
            "name": ["is invalid"],
            "public_stats": ["is invalid"],
        }
        site.refresh_from_db()
        assert site.name == "alpha.test"

    def test_the_site_key_cannot_be_changed(self, writer, site):
        writer.patch(f"{SITES}/{site.site_key}", {"site_key": "sk_mine"}, format="json")
        assert Site.objects.get(pk=site.pk).site_key == site.site_key

    def test_delete(self, writer, site):
        response = writer.delete(f"{SITES}/{site.site_key}")
        assert response.json() == {"data": {"deleted": True}}
        assert not Site.objects.exists()
        assert writer.get(f"{SITES}/{site.site_key}").status_code == 404

    def test_only_the_owner_deletes(self, api, bob, alpha, site, issue_key):
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        bobs = api.with_key(issue_key(bob, team=alpha, scopes=["analytics:write"]))
        assert bobs.delete(f"{SITES}/{site.site_key}").status_code == 404
        assert (
            bobs.patch(f"{SITES}/{site.site_key}", {"name": "ok"}, format="json").status_code == 200
        )


class TestList:
    def test_newest_first_in_the_documented_shape(self, reader, alpha, make_site):
        make_site(alpha, "one.test")
        make_site(alpha, "two.test")
        body = reader.get(SITES).json()
        assert set(body) == {"data"}
        assert [site["domain"] for site in body["data"]] == ["two.test", "one.test"]
        assert all(set(site) == FIELDS for site in body["data"])

    def test_large_accounts_page_with_a_cursor(self, reader, alpha, make_site):
        for number in range(5):
            make_site(alpha, f"s{number}.test")
        first = reader.get(SITES, {"limit": 2}).json()
        assert [s["domain"] for s in first["data"]] == ["s4.test", "s3.test"]
        second = reader.get(SITES, {"limit": 2, "cursor": first["meta"]["next_cursor"]}).json()
        assert [s["domain"] for s in second["data"]] == ["s2.test", "s1.test"]
        last = reader.get(SITES, {"limit": 2, "cursor": second["meta"]["next_cursor"]}).json()
        assert [s["domain"] for s in last["data"]] == ["s0.test"] and "meta" not in last

    def test_a_page_holds_at_most_100(self, reader, alpha):
        Site.objects.bulk_create(
            [Site(team=alpha, domain=f"b{n}.test", name="b") for n in range(105)]
        )
        body = reader.get(SITES, {"limit": 500}).json()
        assert len(body["data"]) == 100 and body["meta"]["next_cursor"]

    def test_a_bad_cursor_is_400_in_the_envelope(self, reader):
        response = reader.get(SITES, {"cursor": "garbage"})
        assert response.status_code == 400
        assert set(response.json()["error"]) == {"message"}


class TestAccess:
    def test_analytics_write_is_needed_to_write(self, reader, site):
        response = create(reader, domain="x.test", name="x")
        assert response.status_code == 401
        assert response.json() == {"error": {"message": INVALID_API_KEY}}

    @pytest.mark.parametrize("scopes", [PROVISION, ["sites:*"], ["*"], ["analytics:write"]])
    def test_plausible_scopes_serve_this_dialect(self, api, alice, alpha, issue_key, scopes):
        client = api.with_key(issue_key(alice, team=alpha, scopes=scopes))
        assert create(client, domain=f"{len(scopes[0])}.test", name="x").status_code == 201

    def test_any_key_reads(self, api, alice, alpha, site, issue_key):
        client = api.with_key(issue_key(alice, team=alpha, scopes=READ_ONLY))
        assert client.get(f"{SITES}/{site.site_key}").status_code == 200

    def test_an_analytics_write_key_provisions_in_the_plausible_dialect(self, writer, alpha):
        response = writer.post("/api/v1/sites", {"domain": "cross.test"}, format="json")
        assert response.status_code == 200

    def test_another_teams_site_is_404(
        self, api, alice, writer, charlies_site, beta, make_site, issue_key
    ):
        for method in ("get", "patch", "delete"):
            response = getattr(writer, method)(
                f"{SITES}/{charlies_site.site_key}", {}, format="json"
            )
            assert response.status_code == 404, method
            assert response.json() == {"error": {"message": SITE_NOT_FOUND}}
        betas = make_site(beta, "beta.test")
        assert writer.get(f"{SITES}/{betas.site_key}").status_code == 404  # team key, other team
        legacy = api.with_key(issue_key(alice, scopes=["analytics:write"]))
        assert legacy.get(f"{SITES}/{betas.site_key}").status_code == 200  # legacy: all teams
        assert Site.objects.filter(pk=charlies_site.pk).exists()

    def test_entitlements_apply(self, writer, site, alpha):
        set_team_entitlements(team=alpha, features=[Feature.STATS_API])
        response = writer.patch(f"{SITES}/{site.site_key}", {"name": "x"}, format="json")
        assert response.status_code == 402
        assert error(response) == FEATURE_MISSING.format(feature="Sites API")

    def test_missing_and_invalid_keys_use_the_envelope(self, api):
        assert api.get(SITES).json() == {"error": {"message": MISSING_API_KEY}}
        assert api.with_key("x" * 64).get(SITES).json() == {"error": {"message": INVALID_API_KEY}}

    def test_rate_limits_are_shared_with_the_plausible_dialect(
        self, writer, alice_api, alpha, api, alice, issue_key, limiter
    ):
        # `limiter`: a clock that does not move, so no burst window ends mid-test.
        set_team_entitlements(team=alpha, burst_request_limit=2)
        plausible = api.with_key(issue_key(alice, team=alpha))
        assert plausible.get("/api/v1/sites/teams").status_code == 200
        assert writer.get(SITES).status_code == 200
        refused = writer.get(SITES)
        assert refused.status_code == 429
        assert refused.json()["error"]["message"].startswith("Too many API requests")
        assert refused["Retry-After"]

    def test_unknown_paths_under_the_dialect_use_its_envelope(self, client):
        response = client.get("/api/v1/analytics/nothing-here")
        assert response.status_code == 404
        assert response.json() == {"error": {"message": errors.UNKNOWN_PATH}}


class TestBothDialects:
    def test_a_site_created_here_reads_back_in_the_plausible_dialect(self, writer, alice_api):
        create(writer, domain="shared.test", name="Shared")
        body = alice_api.get("/api/v1/sites/shared.test").json()
        assert body["domain"] == "shared.test" and body["timezone"] == "Etc/UTC"
        assert body["tracker_script_configuration"]["id"].startswith("pa-")

    def test_a_site_created_there_reads_back_here(self, writer, alice_api, alpha):
        alice_api.post(
            "/api/v1/sites",
            {"domain": "there.test", "team_id": str(alpha.identifier)},
            format="json",
        )
        site = Site.objects.get(domain="there.test")
        data = writer.get(f"{SITES}/{site.site_key}").json()["data"]
        assert (data["domain"], data["name"], data["id"]) == (
            "there.test",
            "there.test",
            str(site.uuid),
        )

    def test_a_domain_change_in_either_dialect_shows_in_the_other(self, writer, alice_api, site):
        alice_api.put("/api/v1/sites/alpha.test", {"domain": "renamed.test"}, format="json")
        assert writer.get(f"{SITES}/{site.site_key}").json()["data"]["domain"] == "renamed.test"
        writer.patch(f"{SITES}/{site.site_key}", {"domain": "again.test"}, format="json")
        assert alice_api.get("/api/v1/sites/renamed.test").json()["domain"] == "again.test"
        assert alice_api.get("/api/v1/sites/alpha.test").status_code == 404


class TestPublicStats:
    def test_a_public_site_opens_without_a_slug(self, writer, client, site):
        assert client.get("/share/alpha.test").status_code == 404
        writer.patch(f"{SITES}/{site.site_key}", {"public_stats": True}, format="json")
        page = client.get("/share/alpha.test")
        assert page.status_code == 200 and "alpha.test" in page.content.decode()
        writer.patch(f"{SITES}/{site.site_key}", {"public_stats": False}, format="json")
        assert client.get("/share/alpha.test").status_code == 404


class TestForbidden:
    def test_a_network_restriction_is_403_in_the_envelope(self, api, alice, alpha, issue_key):
        key = issue_key(
            alice, team=alpha, scopes=["analytics:read"], allowed_networks=["10.0.0.0/8"]
        )
        response = api.with_key(key).get(SITES)
        assert response.status_code == 403
        assert set(response.json()) == {"error"} and "network" in error(response)

    def test_plain_http_is_403_in_the_envelope(self, reader, settings):
        settings.ALLOW_PLAIN_HTTP = False
        response = reader.get(SITES)
        assert response.status_code == 403
        assert "HTTPS is required" in error(response)

    def test_a_team_where_the_caller_is_a_viewer_is_403(self, api, bob, alpha, issue_key):
        bobs = api.with_key(issue_key(bob, scopes=["analytics:write"]))
        response = bobs.post(
            SITES,
            {"domain": "v.test", "name": "v", "team_id": str(alpha.identifier)},
            format="json",
        )
        assert response.status_code == 403
        assert error(response) == "You can't add sites to the selected team."

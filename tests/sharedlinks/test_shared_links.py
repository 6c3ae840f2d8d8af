"""PUT /api/v1/sites/shared-links and the share page (docs/plausible-compat.md#shared-links)."""

from urllib.parse import urlsplit

import pytest

from sharedlinks import services
from sharedlinks.models import SharedLink
from sites.exceptions import MISSING_SITE_ID, SITE_NOT_FOUND
from teams.models import Feature
from tests.site_fixtures import PROVISION

LINKS = "/api/v1/sites/shared-links"

pytestmark = pytest.mark.django_db


def put_link(alice_api, name="WordPress", site_id="alpha.test"):
    return alice_api.put(LINKS, {"site_id": site_id, "name": name}, format="json")


class TestFindOrCreate:
    def test_it_creates_a_link(self, alice_api, site, settings):
        response = put_link(alice_api)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"name", "url"} and body["name"] == "WordPress"
        link = SharedLink.objects.get()
        assert body["url"] == f"{settings.BASE_URL}/share/alpha.test?auth={link.slug}"
        assert body["url"].startswith("http://")
        assert len(link.slug) == 21

    def test_the_old_domain_works(self, alice_api, renamed_site):
        assert put_link(alice_api, site_id="alpha.test").status_code == 200
        assert SharedLink.objects.get().site == renamed_site

    def test_it_is_idempotent(self, alice_api, site):
        assert put_link(alice_api).json()["url"] == put_link(alice_api).json()["url"]
        assert SharedLink.objects.count() == 1

    def test_the_domain_is_form_encoded_in_the_url(self, alice_api, alpha, make_site):
        make_site(alpha, "example.com/blog")
        url = put_link(alice_api, site_id="example.com/blog").json()["url"]
        assert "/share/example.com%2Fblog?auth=" in url

    def test_the_feature_is_needed_to_create_but_not_to_find(self, alice_api, site, entitle):
        put_link(alice_api, name="Existing")
        entitle(site.team, Feature.STATS_API, Feature.SITES_API)
        assert put_link(alice_api, name="Existing").status_code == 200
        response = put_link(alice_api, name="New")
        assert response.status_code == 402
        assert response.json() == {
            "error": "Your current subscription plan does not include Shared Links"
        }

    def test_the_plugins_api_name_is_reserved(self, alice_api, site):
        response = put_link(alice_api, name="WordPress - Shared Dashboard")
        assert response.status_code == 400
        assert response.json() == {"error": services.NAME_RESERVED}

    def test_a_reserved_link_that_exists_is_returned(self, alice_api, site):
        SharedLink.objects.create(site=site, name="WordPress - Shared Dashboard")
        assert put_link(alice_api, name="WordPress - Shared Dashboard").status_code == 200

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            (None, services.NAME_REQUIRED),
            ("", services.NAME_BLANK),
            ("   ", services.NAME_BLANK),
            (5, services.NAME_NOT_TEXT),
            ("x" * 256, services.NAME_TOO_LONG),
        ],
    )
    def test_bad_names(self, alice_api, site, name, message):
        response = put_link(alice_api, name=name)
        assert response.status_code == 400
        assert response.json() == {"error": message}

    def test_the_name_check_comes_before_the_site_lookup(self, alice_api, alice):
        assert alice_api.put(LINKS, {"site_id": "missing.test"}, format="json").json() == {
            "error": services.NAME_REQUIRED
        }

    def test_refusals(
        self, api, alice_api, alice, site, beta, charlies_site, make_guest, entitle, issue_key
    ):
        scoped = api.with_key(issue_key(alice, team=beta, scopes=PROVISION))
        assert "Invalid API key" in put_link(scoped).json()["error"]
        assert alice_api.put(LINKS, {"name": "x"}, format="json").json() == {
            "error": MISSING_SITE_ID
        }
        assert put_link(alice_api, site_id="bad").json() == {"error": SITE_NOT_FOUND}
        make_guest(charlies_site, alice)
        entitle(charlies_site.team, Feature.STATS_API)
        response = put_link(alice_api, site_id="charlie.test")
        assert response.status_code == 402
        assert "API key does not have access to Sites API" in response.json()["error"]


class TestSharePage:
    def test_a_valid_link_opens_a_page_naming_the_site(self, alice_api, site):
        url = urlsplit(put_link(alice_api).json()["url"])
        page = alice_api.get(f"{url.path}?{url.query}")
        assert page.status_code == 200
        assert "alpha.test" in page.content.decode()

    def test_a_wrong_slug_or_domain_is_404(self, alice_api, site, alpha, make_site):
        make_site(alpha, "other.test")
        slug = urlsplit(put_link(alice_api).json()["url"]).query.removeprefix("auth=")
        assert alice_api.get("/share/alpha.test?auth=wrong").status_code == 404
        assert alice_api.get("/share/alpha.test").status_code == 404
        assert alice_api.get(f"/share/other.test?auth={slug}").status_code == 404

    def test_a_link_keeps_working_under_the_old_domain(self, alice_api, site):
        url = urlsplit(put_link(alice_api).json()["url"])
        alice_api.put("/api/v1/sites/alpha.test", {"domain": "renamed.test"}, format="json")
        assert alice_api.get(f"{url.path}?{url.query}").status_code == 200

    def test_a_domain_with_a_slash_is_served(self, alice_api, alpha, make_site):
        make_site(alpha, "example.com/blog")
        url = urlsplit(put_link(alice_api, site_id="example.com/blog").json()["url"])
        assert alice_api.get(f"{url.path}?{url.query}").status_code == 200

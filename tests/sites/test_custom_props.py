"""GET/PUT /api/v1/sites/custom-props and DELETE …/custom-props/*property
(docs/plausible-compat.md#custom-properties)."""

import pytest

from apikeys.exceptions import INVALID_API_KEY
from sites import services
from sites.exceptions import MISSING_SITE_ID, PROPERTY_NOT_TEXT, PROPERTY_REQUIRED, SITE_NOT_FOUND
from sites.models import Site
from teams.models import Feature
from tests.site_fixtures import PROVISION, READ_ONLY

PROPS = "/api/v1/sites/custom-props"

pytestmark = pytest.mark.django_db


def stored(site) -> list[str]:
    return Site.objects.get(pk=site.pk).allowed_event_props


def put_prop(alice_api, prop, site_id="alpha.test"):
    return alice_api.put(PROPS, {"site_id": site_id, "property": prop}, format="json")


class TestAdding:
    def test_it_adds_a_property(self, alice_api, site):
        response = put_prop(alice_api, "prop1")
        assert response.status_code == 200 and response.json() == {"created": True}
        assert stored(site) == ["prop1"]

    def test_the_old_domain_works(self, alice_api, renamed_site):
        assert put_prop(alice_api, "prop1").json() == {"created": True}
        assert stored(renamed_site) == ["prop1"]

    def test_it_is_idempotent(self, alice_api, site):
        put_prop(alice_api, "prop1")
        assert put_prop(alice_api, " prop1 ").json() == {"created": True}
        assert stored(site) == ["prop1"]

    def test_new_properties_are_prepended(self, alice_api, site):
        put_prop(alice_api, "old")
        put_prop(alice_api, "new")
        assert stored(site) == ["new", "old"]
        assert alice_api.get("/api/v1/sites/alpha.test").json()["custom_properties"] == [
            "new",
            "old",
        ]

    def test_a_list_adds_them_all(self, alice_api, site):
        put_prop(alice_api, ["a", "b"])
        assert stored(site) == ["a", "b"]

    def test_a_form_encoded_list_adds_them_all(self, alice_api, site):
        alice_api.put(
            PROPS,
            "site_id=alpha.test&property[]=x&property[]=y",
            content_type="application/x-www-form-urlencoded",
        )
        assert stored(site) == ["x", "y"]

    def test_a_too_long_name_is_400(self, alice_api, site):
        response = put_prop(alice_api, "a" * 301)
        assert response.status_code == 400
        assert response.json() == {"error": services.PROPERTY_TOO_LONG}

    def test_a_whitespace_name_is_too_long_too(self, alice_api, site):
        assert put_prop(alice_api, "   ").json() == {"error": services.PROPERTY_TOO_LONG}

    def test_a_full_list_is_400(self, alice_api, site):
        Site.objects.filter(pk=site.pk).update(allowed_event_props=[f"p{n}" for n in range(300)])
        assert put_prop(alice_api, "one-more").json() == {"error": services.TOO_MANY_PROPERTIES}
        assert len(stored(site)) == 300

    def test_too_long_wins_over_too_many(self, alice_api, site):
        Site.objects.filter(pk=site.pk).update(allowed_event_props=[f"p{n}" for n in range(300)])
        assert put_prop(alice_api, "a" * 301).json() == {"error": services.PROPERTY_TOO_LONG}

    def test_the_props_feature_is_needed_except_for_internal_keys(self, alice_api, site, entitle):
        entitle(site.team, Feature.STATS_API, Feature.SITES_API)
        response = put_prop(alice_api, "author")
        assert response.status_code == 402
        assert response.json() == {
            "error": "Your current subscription plan does not include Custom Properties"
        }
        for internal in ("url", "path", "search_query"):
            assert put_prop(alice_api, internal).status_code == 200

    @pytest.mark.parametrize("prop", [None, "", []])
    def test_a_missing_property_is_400(self, alice_api, site, prop):
        assert put_prop(alice_api, prop).json() == {"error": PROPERTY_REQUIRED}

    @pytest.mark.parametrize("prop", [5, {"a": "b"}, ["a", 5]])
    def test_a_non_string_property_is_400(self, alice_api, site, prop):
        assert put_prop(alice_api, prop).json() == {"error": PROPERTY_NOT_TEXT}

    def test_the_property_check_comes_before_the_site_lookup(self, alice_api, alice):
        assert put_prop(alice_api, None, site_id="missing.test").json() == {
            "error": PROPERTY_REQUIRED
        }

    def test_refusals(
        self, api, alice_api, alice, site, beta, charlies_site, make_guest, entitle, issue_key
    ):
        scoped = api.with_key(issue_key(alice, team=beta, scopes=PROVISION))
        assert "Invalid API key" in put_prop(scoped, "x").json()["error"]
        assert alice_api.put(PROPS, {"property": "x"}, format="json").json() == {
            "error": MISSING_SITE_ID
        }
        assert put_prop(alice_api, "x", site_id="bad").json() == {"error": SITE_NOT_FOUND}
        make_guest(charlies_site, alice)
        entitle(charlies_site.team, Feature.STATS_API)
        response = put_prop(alice_api, "x", site_id="charlie.test")
        assert response.status_code == 402
        assert "API key does not have access to Sites API" in response.json()["error"]


class TestListing:
    def test_it_is_empty_without_properties(self, alice_api, site):
        assert alice_api.get(PROPS, {"site_id": "alpha.test"}).json() == {"custom_properties": []}

    def test_it_lists_properties_sorted(self, alice_api, site):
        Site.objects.filter(pk=site.pk).update(allowed_event_props=["prop3", "prop1", "prop2"])
        assert alice_api.get(PROPS, {"site_id": "alpha.test"}).json() == {
            "custom_properties": [
                {"property": "prop1"},
                {"property": "prop2"},
                {"property": "prop3"},
            ]
        }

    def test_a_guest_viewer_and_a_read_only_key_may_list(
        self, api, alice, charlies_site, make_guest, issue_key
    ):
        Site.objects.filter(pk=charlies_site.pk).update(allowed_event_props=["prop1"])
        make_guest(charlies_site, alice)
        for scopes in (PROVISION, READ_ONLY):
            response = api.with_key(issue_key(alice, scopes=scopes)).get(
                PROPS, {"site_id": "charlie.test"}
            )
            assert response.json() == {"custom_properties": [{"property": "prop1"}]}

    def test_errors(self, api, alice_api, alice, site, beta, charlies_site, issue_key):
        assert alice_api.get(PROPS).json() == {"error": MISSING_SITE_ID}
        assert alice_api.get(PROPS, {"site_id": "does.not.exist"}).json() == {
            "error": SITE_NOT_FOUND
        }
        assert (
            "Invalid API key" in alice_api.get(PROPS, {"site_id": "charlie.test"}).json()["error"]
        )
        scoped = api.with_key(issue_key(alice, team=beta))
        assert scoped.get(PROPS, {"site_id": "alpha.test"}).status_code == 401


class TestDeleting:
    def test_it_deletes_a_property(self, alice_api, site):
        put_prop(alice_api, "prop1")
        response = alice_api.delete(f"{PROPS}/prop1?site_id=alpha.test")
        assert response.json() == {"deleted": True}
        assert stored(site) == []

    def test_a_name_with_slashes_is_the_rest_of_the_path(self, alice_api, site):
        put_prop(alice_api, "prop1/key/with/slashes")
        put_prop(alice_api, "prop1")
        alice_api.delete(f"{PROPS}/prop1/key/with/slashes?site_id=alpha.test")
        assert stored(site) == ["prop1"]

    def test_the_old_domain_works(self, alice_api, renamed_site):
        put_prop(alice_api, "prop1")
        alice_api.delete(f"{PROPS}/prop1?site_id=alpha.test")
        assert stored(renamed_site) == []

    def test_an_unknown_property_is_fine(self, alice_api, site):
        assert alice_api.delete(f"{PROPS}/nope?site_id=alpha.test").json() == {"deleted": True}

    def test_no_props_feature_is_needed(self, alice_api, site, entitle):
        put_prop(alice_api, "prop1")
        entitle(site.team, Feature.STATS_API, Feature.SITES_API)
        assert alice_api.delete(f"{PROPS}/prop1?site_id=alpha.test").json() == {"deleted": True}

    def test_refusals(
        self, api, alice_api, alice, site, beta, charlies_site, make_guest, entitle, issue_key
    ):
        scoped = api.with_key(issue_key(alice, team=beta, scopes=PROVISION))
        assert scoped.delete(f"{PROPS}/x?site_id=alpha.test").status_code == 401
        read_only = api.with_key(issue_key(alice, scopes=READ_ONLY))
        assert read_only.delete(f"{PROPS}/x?site_id=alpha.test").json() == {
            "error": INVALID_API_KEY
        }
        make_guest(charlies_site, alice)
        entitle(charlies_site.team, Feature.STATS_API)
        assert alice_api.delete(f"{PROPS}/x?site_id=charlie.test").status_code == 402

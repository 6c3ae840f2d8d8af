"""GET/PUT /api/v1/sites/goals and DELETE /api/v1/sites/goals/:goal_id
(docs/plausible-compat.md#goals)."""

import pytest

from apikeys.exceptions import INVALID_API_KEY
from sites import goal_services
from sites.exceptions import MISSING_SITE_ID, SITE_NOT_FOUND
from sites.goal_services import find_or_create_goal
from sites.models import Goal
from teams.models import Feature
from tests.site_fixtures import PROVISION, READ_ONLY

GOALS = "/api/v1/sites/goals"
EMPTY_META = {"after": None, "before": None, "limit": 100}

pytestmark = pytest.mark.django_db


def put_goal(alice_api, site_id="alpha.test", **body):
    return alice_api.put(GOALS, {"site_id": site_id, **body}, format="json")


class TestCreating:
    def test_an_event_goal_has_the_exact_shape(self, alice_api, site):
        body = put_goal(alice_api, goal_type="event", event_name="Signup").json()
        assert body == {
            "id": body["id"],
            "custom_props": {},
            "display_name": "Signup",
            "domain": "alpha.test",
            "event_name": "Signup",
            "goal_type": "event",
            "page_path": None,
        }
        assert isinstance(body["id"], int)

    def test_a_page_goal_has_the_exact_shape(self, alice_api, site):
        body = put_goal(alice_api, goal_type="page", page_path="/signup").json()
        assert body == {
            "id": body["id"],
            "custom_props": {},
            "display_name": "Visit /signup",
            "domain": "alpha.test",
            "event_name": None,
            "goal_type": "page",
            "page_path": "/signup",
        }

    def test_the_old_domain_works_and_the_new_domain_is_returned(self, alice_api, renamed_site):
        body = put_goal(
            alice_api, site_id="alpha.test", goal_type="event", event_name="Signup"
        ).json()
        assert body["domain"] == "renamed.test" and body["display_name"] == "Signup"

    def test_display_names_are_kept(self, alice_api, site):
        assert (
            put_goal(
                alice_api, goal_type="event", event_name="Signup", display_name="Customer Acquired"
            ).json()["display_name"]
            == "Customer Acquired"
        )
        body = put_goal(
            alice_api, goal_type="page", page_path="/foo", display_name="Visit the foo page"
        ).json()
        assert body["display_name"] == "Visit the foo page" and body["page_path"] == "/foo"

    def test_it_is_an_idempotent_find_or_create(self, alice_api, site):
        first = put_goal(alice_api, goal_type="event", event_name="Signup").json()
        second = put_goal(alice_api, goal_type="event", event_name=" Signup ").json()
        assert first["id"] == second["id"]
        assert Goal.objects.filter(site=site).count() == 1

    def test_a_page_path_gets_a_leading_slash_and_is_trimmed(self, alice_api, site):
        assert put_goal(alice_api, goal_type="page", page_path=" pricing ").json()["page_path"] == (
            "/pricing"
        )

    def test_a_scroll_threshold_makes_a_scroll_goal(self, alice_api, site):
        body = put_goal(alice_api, goal_type="page", page_path="/blog", scroll_threshold=50).json()
        assert body["goal_type"] == "scroll"

    def test_custom_props_are_stored(self, alice_api, site):
        props = {"tier": "premium", "product": "enterprise"}
        body = put_goal(alice_api, goal_type="event", event_name="Buy", custom_props=props).json()
        assert body["custom_props"] == {"product": "enterprise", "tier": "premium"}

    def test_custom_props_in_another_order_are_the_same_goal(self, alice_api, site):
        first = put_goal(
            alice_api, goal_type="event", event_name="Buy", custom_props={"a": "1", "b": "2"}
        ).json()
        second = put_goal(
            alice_api, goal_type="event", event_name="Buy", custom_props={"b": "2", "a": "1"}
        ).json()
        assert first["id"] == second["id"]

    def test_custom_props_need_the_props_feature(self, alice_api, site, entitle):
        entitle(site.team, Feature.STATS_API, Feature.SITES_API)
        response = put_goal(alice_api, goal_type="event", event_name="Buy", custom_props={"a": "b"})
        assert response.status_code == 402
        assert response.json() == {
            "error": "Your current subscription plan does not include Custom Properties"
        }

    def test_a_form_encoded_goal_with_custom_props_works(self, alice_api, site):
        response = alice_api.put(
            GOALS,
            "site_id=alpha.test&goal_type=event&event_name=Buy&custom_props[plan]=pro",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.json()["custom_props"] == {"plan": "pro"}

    def test_a_currency_makes_a_revenue_goal_and_needs_the_feature(self, alice_api, site, entitle):
        assert (
            put_goal(alice_api, goal_type="event", event_name="Buy", currency="eur").status_code
            == 200
        )
        assert Goal.objects.get(event_name="Buy").currency == "EUR"
        response = put_goal(alice_api, goal_type="event", event_name="Buy", currency="USD")
        assert response.json() == {
            "error": "event_name: 'Buy' (with currency: EUR) has already been taken"
        }
        entitle(site.team, Feature.SITES_API)
        response = put_goal(alice_api, goal_type="event", event_name="Sell", currency="USD")
        assert response.status_code == 402

    def test_a_tracker_flag_goal_is_found_not_duplicated(self, alice_api, site):
        alice_api.put(
            "/api/v1/sites/alpha.test",
            {"tracker_script_configuration": {"file_downloads": True}},
            format="json",
        )
        body = put_goal(alice_api, goal_type="event", event_name="File Download").json()
        assert Goal.objects.filter(site=site).count() == 1
        assert body["display_name"] == "File Download"


class TestRefusing:
    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        response = put_goal(
            api.with_key(issue_key(alice, team=beta, scopes=PROVISION)),
            goal_type="event",
            event_name="x",
        )
        assert response.status_code == 401
        assert "Invalid API key" in response.json()["error"]

    def test_a_missing_site_id_is_400(self, alice_api, alice):
        response = alice_api.put(GOALS, {"goal_type": "event", "event_name": "x"}, format="json")
        assert response.json() == {"error": MISSING_SITE_ID}

    def test_an_unknown_site_is_404(self, alice_api, alice):
        response = put_goal(alice_api, site_id="bad", goal_type="event", event_name="x")
        assert response.status_code == 404 and response.json() == {"error": SITE_NOT_FOUND}

    def test_a_guest_viewer_on_a_team_without_sites_api_is_402(
        self, alice_api, alice, charlies_site, make_guest, entitle
    ):
        make_guest(charlies_site, alice)
        entitle(charlies_site.team, Feature.STATS_API)
        response = put_goal(alice_api, site_id="charlie.test", goal_type="event", event_name="x")
        assert response.status_code == 402
        assert "API key does not have access to Sites API" in response.json()["error"]

    def test_a_guest_viewer_gets_404(self, alice_api, alice, charlies_site, make_guest):
        make_guest(charlies_site, alice)
        response = put_goal(alice_api, site_id="charlie.test", goal_type="event", event_name="x")
        assert response.status_code == 404

    def test_a_guest_editor_may_create(self, alice_api, alice, charlies_site, make_guest):
        make_guest(charlies_site, alice, role="editor")
        response = put_goal(alice_api, site_id="charlie.test", goal_type="event", event_name="x")
        assert response.status_code == 200

    def test_a_missing_goal_type_is_400_before_the_site_lookup(self, alice_api, alice):
        response = put_goal(alice_api, site_id="missing.test", event_name="x")
        assert response.json() == {"error": goal_services.GOAL_TYPE_REQUIRED}

    @pytest.mark.parametrize("goal_type", ["scroll", "funnel", 5, ["event"]])
    def test_an_unknown_goal_type_is_400(self, alice_api, site, goal_type):
        response = put_goal(alice_api, goal_type=goal_type, event_name="x")
        assert response.status_code == 400
        assert response.json() == {"error": goal_services.GOAL_TYPE_INVALID}

    @pytest.mark.parametrize("event_name", [None, 42, {"a": 1}])
    def test_an_event_goal_needs_a_string_event_name(self, alice_api, site, event_name):
        body = (
            {"goal_type": "event"}
            if event_name is None
            else {"goal_type": "event", "event_name": event_name}
        )
        assert put_goal(alice_api, **body).json() == {"error": goal_services.EVENT_NAME_REQUIRED}

    def test_a_page_goal_needs_a_page_path(self, alice_api, site):
        assert put_goal(alice_api, goal_type="page").json() == {
            "error": goal_services.PAGE_PATH_REQUIRED
        }

    def test_the_goal_limit(self, alice_api, site, settings):
        settings.MAX_GOALS_PER_SITE = 10
        for number in range(10):
            assert (
                put_goal(alice_api, goal_type="event", event_name=f"e{number}").status_code == 200
            )
        response = put_goal(alice_api, goal_type="event", event_name="one too many")
        assert response.status_code == 400
        assert "Maximum number of goals reached" in response.json()["error"]
        # An existing goal is still found at the limit.
        assert put_goal(alice_api, goal_type="event", event_name="e3").status_code == 200

    @pytest.mark.parametrize(
        ("custom_props", "message"),
        [
            ({"a": "1", "b": "2", "c": "3", "d": "4"}, goal_services.TOO_MANY_PROPS),
            ({"a": None}, goal_services.PROPS_NOT_A_MAP),
            ({"a": 42}, goal_services.PROPS_NOT_A_MAP),
            (["a"], goal_services.PROPS_NOT_A_MAP),
            ({"a" * 301: "x"}, goal_services.PROP_KEY_LENGTH),
            ({"a": "x" * 2001}, goal_services.PROP_VALUE_LENGTH),
        ],
    )
    def test_bad_custom_props(self, alice_api, site, custom_props, message):
        response = put_goal(alice_api, goal_type="event", event_name="x", custom_props=custom_props)
        assert response.status_code == 400
        assert message in response.json()["error"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (
                {"goal_type": "event", "event_name": "x" * 121},
                "event_name: should be at most 120 character(s)",
            ),
            ({"goal_type": "event", "event_name": "  "}, goal_services.BLANK_GOAL),
            (
                {"goal_type": "event", "event_name": "engagement"},
                "event_name: The event name 'engagement' is reserved and cannot be used as a goal",
            ),
            (
                {"goal_type": "page", "page_path": "/a", "scroll_threshold": 101},
                goal_services.SCROLL_RANGE,
            ),
            (
                {"goal_type": "page", "page_path": "/a", "scroll_threshold": "lots"},
                "scroll_threshold: is invalid",
            ),
            ({"goal_type": "page", "page_path": 7}, "page_path: is invalid"),
            ({"goal_type": "page", "page_path": None}, goal_services.BLANK_GOAL),
            (
                {"goal_type": "event", "event_name": "x", "display_name": 5},
                "display_name: is invalid",
            ),
            ({"goal_type": "event", "event_name": "x", "currency": "euro"}, "currency: is invalid"),
        ],
    )
    def test_changeset_errors(self, alice_api, site, body, message):
        response = put_goal(alice_api, **body)
        assert response.status_code == 400
        assert response.json() == {"error": message}

    def test_long_multibyte_texts_within_the_limits_are_stored(self, alice_api, site):
        """Unique indexes hold hashes: PostgreSQL's btree row limit (2704 bytes) is
        far below 2000 CJK characters or three 2000-character property values."""
        response = put_goal(
            alice_api, goal_type="page", page_path="/" + "長" * 1990, display_name="名" * 2000
        )
        assert response.status_code == 200, response.json()
        props = {f"k{n}": "値" * 2000 for n in range(3)}
        response = put_goal(alice_api, goal_type="event", event_name="Big", custom_props=props)
        assert response.status_code == 200, response.json()
        assert (
            put_goal(alice_api, goal_type="event", event_name="Big", custom_props=props).json()[
                "id"
            ]
            == response.json()["id"]
        )

    def test_the_limit_does_not_apply_to_a_goal_for_an_existing_event(
        self, alice_api, site, settings
    ):
        settings.MAX_GOALS_PER_SITE = 2
        put_goal(alice_api, goal_type="event", event_name="S")
        put_goal(alice_api, goal_type="event", event_name="T")
        response = put_goal(
            alice_api,
            goal_type="event",
            event_name="S",
            custom_props={"a": "b"},
            display_name="S with a",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["custom_props"] == {"a": "b"}
        same_name = put_goal(alice_api, goal_type="event", event_name="T", custom_props={"a": "b"})
        assert same_name.json()["custom_props"] == {}  # Plausible returns the existing T
        assert put_goal(alice_api, goal_type="event", event_name="U").status_code == 400

    def test_invalid_custom_props_without_the_feature_are_402(self, alice_api, site, entitle):
        entitle(site.team, Feature.STATS_API, Feature.SITES_API)
        response = put_goal(
            alice_api, goal_type="event", event_name="x", custom_props=["not", "a", "map"]
        )
        assert response.status_code == 402

    def test_a_display_name_of_another_goal_is_400(self, alice_api, site):
        put_goal(alice_api, goal_type="page", page_path="/x", display_name="Shared name")
        response = put_goal(
            alice_api, goal_type="event", event_name="e", display_name="Shared name"
        )
        assert response.json() == {"error": goal_services.DISPLAY_NAME_TAKEN}


class TestListing:
    def test_it_is_empty_without_goals(self, alice_api, site):
        assert alice_api.get(GOALS, {"site_id": "alpha.test"}).json() == {
            "goals": [],
            "meta": EMPTY_META,
        }

    def test_it_lists_goals_newest_first(self, alice_api, site):
        login = find_or_create_goal(site=site, goal_type="page", params={"page_path": "/login"})
        signup = find_or_create_goal(site=site, goal_type="event", params={"event_name": "Signup"})
        purchase = find_or_create_goal(
            site=site, goal_type="event", params={"event_name": "Purchase"}
        )
        body = alice_api.get(GOALS, {"site_id": "alpha.test"}).json()
        assert body["goals"] == [
            {
                "id": purchase.pk,
                "display_name": "Purchase",
                "goal_type": "event",
                "event_name": "Purchase",
                "page_path": None,
                "custom_props": {},
            },
            {
                "id": signup.pk,
                "display_name": "Signup",
                "goal_type": "event",
                "event_name": "Signup",
                "page_path": None,
                "custom_props": {},
            },
            {
                "id": login.pk,
                "display_name": "Visit /login",
                "goal_type": "page",
                "event_name": None,
                "page_path": "/login",
                "custom_props": {},
            },
        ]

    def test_it_pages(self, alice_api, site):
        goals = [
            find_or_create_goal(site=site, goal_type="event", params={"event_name": f"g{n}"})
            for n in range(3)
        ]
        first = alice_api.get(GOALS, {"site_id": "alpha.test", "limit": 2}).json()
        assert [g["id"] for g in first["goals"]] == [goals[2].pk, goals[1].pk]
        second = alice_api.get(
            GOALS, {"site_id": "alpha.test", "limit": 2, "after": first["meta"]["after"]}
        ).json()
        assert [g["id"] for g in second["goals"]] == [goals[0].pk]
        assert isinstance(second["meta"]["before"], str) and second["meta"]["after"] is None

    def test_a_guest_viewer_and_a_read_only_key_may_list(
        self, api, alice, charlies_site, make_guest, issue_key
    ):
        make_guest(charlies_site, alice)
        for scopes in (PROVISION, READ_ONLY):
            response = api.with_key(issue_key(alice, scopes=scopes)).get(
                GOALS, {"site_id": "charlie.test"}
            )
            assert response.status_code == 200

    def test_errors(self, alice_api, api, alice, site, beta, charlies_site, issue_key):
        assert alice_api.get(GOALS).json() == {"error": MISSING_SITE_ID}
        assert alice_api.get(GOALS, {"site_id": "does.not.exist"}).status_code == 404
        assert alice_api.get(GOALS, {"site_id": "charlie.test"}).status_code == 401
        scoped = api.with_key(issue_key(alice, team=beta))
        assert scoped.get(GOALS, {"site_id": "alpha.test"}).status_code == 401


class TestDeleting:
    def goal(self, site):
        return find_or_create_goal(site=site, goal_type="event", params={"event_name": "Signup"})

    def test_it_deletes_by_id(self, alice_api, site):
        goal = self.goal(site)
        response = alice_api.delete(f"{GOALS}/{goal.pk}?site_id=alpha.test")
        assert response.status_code == 200 and response.json() == {"deleted": True}
        assert not Goal.objects.exists()

    def test_the_old_domain_works(self, alice_api, renamed_site):
        goal = self.goal(renamed_site)
        assert alice_api.delete(f"{GOALS}/{goal.pk}?site_id=alpha.test").json() == {"deleted": True}

    def test_an_unknown_goal_is_404(self, alice_api, site):
        response = alice_api.delete(f"{GOALS}/0?site_id=alpha.test")
        assert response.status_code == 404
        assert response.json() == {"error": goal_services.GOAL_NOT_FOUND}

    def test_another_sites_goal_is_404(self, alice_api, site, alpha, make_site):
        other = make_site(alpha, "other.test")
        goal = self.goal(other)
        assert alice_api.delete(f"{GOALS}/{goal.pk}?site_id=alpha.test").status_code == 404
        assert Goal.objects.filter(pk=goal.pk).exists()

    @pytest.mark.parametrize("goal_id", ["abc", "1.5", "-1", "9" * 30, "%C2%B2"])
    def test_a_non_numeric_goal_id_is_400(self, alice_api, site, goal_id):
        response = alice_api.delete(f"{GOALS}/{goal_id}?site_id=alpha.test")
        assert response.status_code == 400
        assert response.json() == {"error": goal_services.GOAL_ID_INVALID}

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        goal = self.goal(site)
        key = issue_key(alice, team=beta, scopes=PROVISION)
        assert api.with_key(key).delete(f"{GOALS}/{goal.pk}?site_id=alpha.test").status_code == 401

    def test_a_guest_viewer_on_a_team_without_sites_api_is_402(
        self, alice_api, alice, charlies_site, make_guest, entitle
    ):
        goal = self.goal(charlies_site)
        make_guest(charlies_site, alice)
        entitle(charlies_site.team, Feature.STATS_API)
        assert alice_api.delete(f"{GOALS}/{goal.pk}?site_id=charlie.test").status_code == 402

    def test_a_read_only_key_is_401(self, api, alice, site, issue_key):
        goal = self.goal(site)
        response = api.with_key(issue_key(alice, scopes=READ_ONLY)).delete(
            f"{GOALS}/{goal.pk}?site_id=alpha.test"
        )
        assert response.json() == {"error": INVALID_API_KEY}

"""Query budgets of the Sites API (issue: at most 4 queries per single-site request,
authentication included; lists constant in their page size). Each test warms the
key first, since `last_used_at` is written at most once a minute."""

import pytest

from accounts.models import User
from sites.goal_services import find_or_create_goal
from sites.models import GuestMembership

pytestmark = pytest.mark.django_db

SINGLE_SITE_BUDGET = 4


@pytest.fixture
def warm(alice_api, site):
    assert alice_api.get("/api/v1/sites/alpha.test").status_code == 200
    return alice_api


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/sites/alpha.test", None),
        ("put", "/api/v1/sites/alpha.test", {"domain": "renamed.test"}),
        (
            "put",
            "/api/v1/sites/alpha.test",
            {"tracker_script_configuration": {"installation_type": "npm"}},
        ),
        ("get", "/api/v1/sites/goals?site_id=alpha.test", None),
        (
            "put",
            "/api/v1/sites/goals",
            {"site_id": "alpha.test", "goal_type": "event", "event_name": "New"},
        ),
        (
            "put",
            "/api/v1/sites/goals",
            {"site_id": "alpha.test", "goal_type": "event", "event_name": "Existing"},
        ),
        ("get", "/api/v1/sites/custom-props?site_id=alpha.test", None),
        ("put", "/api/v1/sites/custom-props", {"site_id": "alpha.test", "property": "author"}),
        ("delete", "/api/v1/sites/custom-props/author?site_id=alpha.test", None),
        ("get", "/api/v1/sites/guests?site_id=alpha.test", None),
        (
            "put",
            "/api/v1/sites/guests",
            {"site_id": "alpha.test", "email": "new@example.com", "role": "viewer"},
        ),
        (
            "put",
            "/api/v1/sites/guests",
            {"site_id": "alpha.test", "email": "guest@example.com", "role": "viewer"},
        ),
        ("delete", "/api/v1/sites/guests/guest@example.com?site_id=alpha.test", None),
        ("put", "/api/v1/sites/shared-links", {"site_id": "alpha.test", "name": "Link"}),
    ],
)
def test_single_site_endpoints_stay_within_budget(warm, site, query_budget, method, path, body):
    find_or_create_goal(site=site, goal_type="event", params={"event_name": "Existing"})
    GuestMembership.objects.create(
        site=site, user=User.objects.create_user("guest@example.com"), role="viewer"
    )
    with query_budget(SINGLE_SITE_BUDGET):
        response = getattr(warm, method)(path, body, format="json")
    assert response.status_code == 200, response.json()


def test_reading_a_site_is_one_statement_for_the_key_and_the_site(warm, site, query_budget):
    """The key query fetches the site the request names (both dialects)."""
    for path in ["/api/v1/sites/alpha.test", f"/api/v1/analytics/sites/{site.site_key}"]:
        with query_budget(1) as captured:
            response = warm.get(path)
        assert response.status_code == 200, (path, response.json())
        assert len(captured.counted) == 1, path


def test_a_renamed_site_renames_again_within_budget(warm, site, query_budget):
    warm.put("/api/v1/sites/alpha.test", {"domain": "second.test"}, format="json")
    with query_budget(SINGLE_SITE_BUDGET):
        response = warm.put("/api/v1/sites/second.test", {"domain": "third.test"}, format="json")
    assert response.status_code == 200


def test_deleting_a_goal_stays_within_budget(warm, site, query_budget):
    goal = find_or_create_goal(site=site, goal_type="event", params={"event_name": "Gone"})
    with query_budget(SINGLE_SITE_BUDGET):
        response = warm.delete(f"/api/v1/sites/goals/{goal.pk}?site_id=alpha.test")
    assert response.status_code == 200


def test_deleting_a_site_costs_the_same_whatever_hangs_off_it(
    warm, site, alpha, make_site, query_budget
):
    """Deleting cascades one statement per dependent table, not per row."""

    def cost(domain):
        with query_budget(100) as captured:
            assert warm.delete(f"/api/v1/sites/{domain}").status_code == 200
        return len(captured.counted)

    busy = make_site(alpha, "busy.test")
    for number in range(20):
        find_or_create_goal(site=busy, goal_type="event", params={"event_name": f"g{number}"})
        warm.put(
            "/api/v1/sites/shared-links",
            {"site_id": "busy.test", "name": f"l{number}"},
            format="json",
        )
    assert cost("busy.test") == cost("alpha.test")


@pytest.mark.parametrize("size", [1, 50])
def test_lists_cost_the_same_whatever_the_page_size(
    warm, site, alpha, make_site, query_budget, size
):
    for number in range(size):
        make_site(alpha, f"s{number}.test")
        find_or_create_goal(site=site, goal_type="event", params={"event_name": f"g{number}"})
        GuestMembership.objects.create(
            site=site, user=User.objects.create_user(f"guest{number}@example.com"), role="viewer"
        )
        warm.put(
            "/api/v1/sites/guests",
            {"site_id": "alpha.test", "email": f"inv{number}@example.com", "role": "viewer"},
            format="json",
        )
    for path, budget in [
        ("/api/v1/sites", 2),
        ("/api/v1/sites/goals?site_id=alpha.test", 2),
        ("/api/v1/sites/guests?site_id=alpha.test", 3),
        ("/api/v1/sites/teams", 2),
    ]:
        with query_budget(budget):
            assert warm.get(path).status_code == 200, path

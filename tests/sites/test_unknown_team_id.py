"""Unknown is an error, not a default: a `team_id` that names no team is a 4xx,
never a create in the personal team nor a list of every team (Plausible ignores
it). A team that exists but is not the caller's stays the 401; team-scoped keys
keep ignoring `team_id`."""

import pytest

from apikeys.exceptions import INVALID_API_KEY
from sites.models import Site
from teams.exceptions import INVALID_TEAM_ID, TEAM_NOT_FOUND

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-0000-0000-000000000000"
MALFORMED = ["not-a-uuid", "0000", " ", "%00", UNKNOWN + "0"]

# (method, path, body without team_id, how the dialect wraps a message)
ENDPOINTS = [
    ("get", "/api/v1/sites", {}, lambda message: {"error": message}),
    ("post", "/api/v1/sites", {"domain": "new.test"}, lambda message: {"error": message}),
    ("get", "/api/v1/analytics/sites", {}, lambda message: {"error": {"message": message}}),
    (
        "post",
        "/api/v1/analytics/sites",
        {"domain": "new.test", "name": "New"},
        lambda message: {"error": {"message": message}},
    ),
]


def call(client, method, path, body, team_id):
    params = {**body, "team_id": team_id}
    if method == "get":
        return client.get(path, params)
    return client.post(path, params, format="json")


@pytest.mark.parametrize(("method", "path", "body", "shape"), ENDPOINTS)
class TestOnCreateAndList:
    @pytest.mark.parametrize("team_id", MALFORMED)
    def test_a_malformed_team_id_is_a_400(
        self, alice_api, site, method, path, body, shape, team_id
    ):
        response = call(alice_api, method, path, body, team_id)
        assert (response.status_code, response.json()) == (400, shape(INVALID_TEAM_ID))
        assert not Site.objects.filter(domain="new.test").exists()

    def test_a_non_text_team_id_is_a_400(self, alice_api, site, method, path, body, shape):
        if method == "get":
            pytest.skip("a query string carries only text")
        response = alice_api.post(path, {**body, "team_id": 42}, format="json")
        assert (response.status_code, response.json()) == (400, shape(INVALID_TEAM_ID))

    def test_a_team_that_does_not_exist_is_a_404(self, alice_api, site, method, path, body, shape):
        response = call(alice_api, method, path, body, UNKNOWN)
        assert (response.status_code, response.json()) == (404, shape(TEAM_NOT_FOUND))
        assert not Site.objects.filter(domain="new.test").exists()

    def test_a_team_that_is_not_the_callers_is_still_the_401(
        self, alice_api, charlies_team, method, path, body, shape
    ):
        response = call(alice_api, method, path, body, str(charlies_team.identifier))
        assert (response.status_code, response.json()) == (401, shape(INVALID_API_KEY))

    @pytest.mark.parametrize("team_id", [None, ""])
    def test_an_empty_team_id_means_none(self, alice_api, site, method, path, body, shape, team_id):
        if method == "get" and team_id is None:
            pytest.skip("a query string has no null")
        response = call(alice_api, method, path, body, team_id)
        assert response.status_code in (200, 201), response.json()

    def test_a_team_scoped_key_ignores_it(
        self, api, alice, alpha, issue_key, method, path, body, shape
    ):
        client = api.with_key(issue_key(alice, team=alpha, scopes=["sites:provision:*"]))
        for team_id in ["not-a-uuid", UNKNOWN]:
            response = call(
                client, method, path, {**body, "domain": f"{len(team_id)}.test"}, team_id
            )
            assert response.status_code in (200, 201), response.json()


def test_the_rate_limit_and_scope_checks_come_first(api, alice, issue_key, limiter):
    """The team_id check is part of team verification (docs/plausible-compat.md#check-order), so a
    refused request still counts and a missing scope is still the 401."""
    read_only = api.with_key(issue_key(alice))
    response = read_only.post(
        "/api/v1/sites", {"domain": "x.test", "team_id": "nope"}, format="json"
    )
    assert (response.status_code, response.json()) == (401, {"error": INVALID_API_KEY})
    assert "RateLimit" in response

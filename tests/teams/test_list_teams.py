"""GET /api/v1/sites/teams (docs/plausible-compat.md#list-teams)."""

import pytest

from api import errors
from api.pagination import encode_cursor
from apikeys.exceptions import INVALID_API_KEY
from teams.exceptions import FEATURE_MISSING, TEAM_LOCKED
from teams.models import Feature, Role, Team
from teams.services import add_member, create_team, set_team_entitlements

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


def test_a_user_without_teams_gets_an_empty_list(api, charlie, issue_key):
    response = api.with_key(issue_key(charlie)).get(TEAMS)
    assert response.status_code == 200
    assert response.json() == {"teams": [], "meta": {"after": None, "before": None, "limit": 100}}


def test_it_lists_the_users_teams_newest_first_with_api_availability(
    api, alice, charlie, issue_key
):
    personal = Team.objects.create(name="ignored", setup_complete=False)
    add_member(team=personal, user=alice, role=Role.OWNER)
    without = create_team(name="Team Without Stats API", owner=charlie)
    add_member(team=without, user=alice, role=Role.EDITOR)
    set_team_entitlements(team=without, features=[])
    with_api = create_team(name="Team With Stats API", owner=alice)
    create_team(name="Not Alice's", owner=charlie)

    response = api.with_key(issue_key(alice)).get(TEAMS)

    assert response.status_code == 200
    assert response.json() == {
        "teams": [
            {"id": str(with_api.identifier), "name": "Team With Stats API", "api_available": True},
            {
                "id": str(without.identifier),
                "name": "Team Without Stats API",
                "api_available": False,
            },
            {"id": str(personal.identifier), "name": "My personal sites", "api_available": True},
        ],
        "meta": {"after": None, "before": None, "limit": 100},
    }


def test_a_team_scoped_key_sees_only_its_team(api, alice, alpha, issue_key):
    create_team(name="Another", owner=alice)
    response = api.with_key(issue_key(alice, team=alpha)).get(TEAMS)
    assert [team["id"] for team in response.json()["teams"]] == [str(alpha.identifier)]


def test_a_team_scoped_key_of_a_team_without_stats_api_is_402(api, alice, alpha, issue_key):
    set_team_entitlements(team=alpha, features=[Feature.SITES_API])
    response = api.with_key(issue_key(alice, team=alpha)).get(TEAMS)
    assert response.status_code == 402
    assert response.json() == {"error": FEATURE_MISSING.format(feature="Stats API")}


def test_a_legacy_key_naming_a_locked_team_is_402(api, alice, alpha, issue_key):
    set_team_entitlements(team=alpha, locked=True)
    response = api.with_key(issue_key(alice)).get(TEAMS, {"team_id": str(alpha.identifier)})
    assert response.status_code == 402
    assert response.json() == {"error": TEAM_LOCKED}


def test_a_legacy_key_naming_a_foreign_team_is_401(api, alice, charlies_team, issue_key):
    response = api.with_key(issue_key(alice)).get(TEAMS, {"team_id": str(charlies_team.identifier)})
    assert response.status_code == 401
    assert response.json() == {"error": INVALID_API_KEY}


def test_team_id_does_not_filter_the_list(api, alice, alpha, issue_key):
    create_team(name="Second", owner=alice)
    response = api.with_key(issue_key(alice)).get(TEAMS, {"team_id": str(alpha.identifier)})
    assert len(response.json()["teams"]) == 2


def test_a_trailing_slash_is_tolerated(api, alice, alpha, issue_key):
    assert api.with_key(issue_key(alice)).get(TEAMS + "/").status_code == 200


class TestPagination:
    @pytest.fixture
    def three_teams(self, alice):
        return [create_team(name=f"Team {n}", owner=alice) for n in (1, 2, 3)]

    def test_pages_forward_and_back(self, api, alice, three_teams, issue_key):
        client = api.with_key(issue_key(alice))
        t1, t2, t3 = three_teams

        first = client.get(TEAMS, {"limit": 2}).json()
        assert [t["name"] for t in first["teams"]] == ["Team 3", "Team 2"]
        assert first["meta"]["before"] is None
        assert isinstance(first["meta"]["after"], str)
        assert first["meta"]["limit"] == 2

        second = client.get(TEAMS, {"limit": 2, "after": first["meta"]["after"]}).json()
        assert [t["name"] for t in second["teams"]] == ["Team 1"]
        assert isinstance(second["meta"]["before"], str)
        assert second["meta"]["after"] is None

        back = client.get(TEAMS, {"limit": 2, "before": second["meta"]["before"]}).json()
        assert [t["name"] for t in back["teams"]] == ["Team 3", "Team 2"]
        assert back["meta"]["before"] is None
        assert back["meta"]["after"] == first["meta"]["after"]

    @pytest.mark.parametrize("limit", ["0", "-1", "101", "100000"])
    def test_a_limit_out_of_range_falls_back_to_100(
        self, api, alice, three_teams, issue_key, limit
    ):
        response = api.with_key(issue_key(alice)).get(TEAMS, {"limit": limit})
        assert response.status_code == 200
        assert response.json()["meta"]["limit"] == 100

    @pytest.mark.parametrize("limit", ["abc", "1.5", "2e3", "1_0"])
    def test_a_non_integer_limit_is_400(self, api, alice, issue_key, limit):
        response = api.with_key(issue_key(alice)).get(TEAMS, {"limit": limit})
        assert response.status_code == 400
        assert response.json() == {"error": errors.INVALID_LIMIT}

    @pytest.mark.parametrize("limit", ["", " "])
    def test_a_blank_limit_is_400_like_any_non_integer(self, api, alice, issue_key, limit):
        response = api.with_key(issue_key(alice)).get(TEAMS, {"limit": limit})
        assert response.status_code == 400
        assert response.json() == {"error": errors.INVALID_LIMIT}

    @pytest.mark.parametrize(
        "cursor",
        ["garbage", "%%%", "e30", encode_cursor(1)[:-3] + "!!!", "eyJpZCI6Im5vIn0", "W10"],
    )
    def test_a_malformed_cursor_is_400(self, api, alice, issue_key, cursor):
        for name in ("after", "before"):
            response = api.with_key(issue_key(alice)).get(TEAMS, {name: cursor})
            assert response.status_code == 400
            assert response.json() == {"error": errors.INVALID_CURSOR.format(name=name)}


class TestQueryBudget:
    def test_a_legacy_key_listing_costs_three_queries_at_most(
        self, api, alice, alpha, issue_key, django_assert_max_num_queries
    ):
        client = api.with_key(issue_key(alice))
        client.get(TEAMS)  # records last_used_at once
        with django_assert_max_num_queries(2):
            assert client.get(TEAMS).status_code == 200

    def test_a_team_key_listing_costs_two_queries(
        self, api, alice, alpha, issue_key, django_assert_max_num_queries
    ):
        client = api.with_key(issue_key(alice, team=alpha))
        client.get(TEAMS)
        with django_assert_max_num_queries(2):
            assert client.get(TEAMS).status_code == 200

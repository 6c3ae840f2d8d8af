"""Strangers learn nothing about a team's billing, and lists show exactly what
the caller could read one by one. Membership is checked before entitlements, so
a caller with no role in a team gets one answer whatever the team's standing;
401 ("exists, not yours") and 404 ("no such site") stay as documented."""

import pytest

from apikeys.exceptions import INVALID_API_KEY
from sites.exceptions import SITE_NOT_FOUND
from sites.models import Site
from teams.exceptions import TEAM_LOCKED
from teams.models import Feature, Membership, Role
from teams.services import add_member, create_team, set_team_entitlements
from tests.site_fixtures import PROVISION

pytestmark = pytest.mark.django_db

STANDINGS = {
    "locked": {"locked": True},
    "without stats_api": {"features": [Feature.SITES_API]},
    "without sites_api": {"features": [Feature.STATS_API]},
    "in good standing": {},
}


def answers_in_every_standing(team, call) -> list[tuple[int, object]]:
    """`call()`'s (status, body) with the team in each standing, in turn."""
    seen = []
    for changes in STANDINGS.values():
        set_team_entitlements(team=team, locked=False, features=list(Feature.values))
        set_team_entitlements(team=team, **changes)
        response = call()
        seen.append((response.status_code, response.json()))
    return seen


def the_same_refusal(seen, status, body):
    assert seen == [(status, body)] * len(STANDINGS)


@pytest.fixture
def stranger(api, charlie, issue_key):
    return api.with_key(issue_key(charlie, scopes=PROVISION))


@pytest.fixture
def removed_member(api, bob, alpha, issue_key):
    """Bob's key for Alpha, after Bob left Alpha."""
    key = issue_key(bob, team=alpha, scopes=PROVISION)
    Membership.objects.filter(team=alpha, user=bob).delete()
    return api.with_key(key)


INVALID = {"error": INVALID_API_KEY}


class TestAStrangerGetsOneAnswerWhateverTheTeamsStanding:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("get", "/api/v1/sites/alpha.test", None),
            ("put", "/api/v1/sites/alpha.test", {"domain": "mine.test"}),
            ("get", "/api/v1/sites/goals?site_id=alpha.test", None),
            ("put", "/api/v1/sites/goals", {"site_id": "alpha.test", "goal_type": "event"}),
            ("delete", "/api/v1/sites/alpha.test", None),
        ],
    )
    def test_on_a_site_of_the_team(self, stranger, alpha, site, method, path, body):
        seen = answers_in_every_standing(
            alpha, lambda: getattr(stranger, method)(path, body, format="json")
        )
        the_same_refusal(seen, 401, INVALID)

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("get", "/api/v1/sites?team_id={team}", None),
            ("get", "/api/v1/sites/teams?team_id={team}", None),
            ("post", "/api/v1/sites", {"domain": "mine.test", "team_id": "{team}"}),
            ("get", "/api/v1/analytics/sites?team_id={team}", None),
            (
                "post",
                "/api/v1/analytics/sites",
                {"domain": "m.test", "name": "m", "team_id": "{team}"},
            ),
        ],
    )
    def test_naming_the_team_by_team_id(self, stranger, alpha, method, path, body):
        team = str(alpha.identifier)
        path = path.format(team=team)
        body = {k: v.format(team=team) for k, v in body.items()} if body else None
        seen = answers_in_every_standing(
            alpha, lambda: getattr(stranger, method)(path, body, format="json")
        )
        shape = {"error": {"message": INVALID_API_KEY}} if "analytics" in path else INVALID
        the_same_refusal(seen, 401, shape)

    def test_a_key_of_a_team_its_user_left(self, removed_member, alpha, site):
        for path in ["/api/v1/sites/alpha.test", "/api/v1/sites", "/api/v1/sites/teams"]:
            seen = answers_in_every_standing(alpha, lambda path=path: removed_member.get(path))
            the_same_refusal(seen, 401, INVALID)

    def test_the_resource_dialect_answers_404_for_a_site_out_of_reach(self, stranger, alpha, site):
        path = f"/api/v1/analytics/sites/{site.site_key}"
        seen = answers_in_every_standing(alpha, lambda: stranger.get(path))
        the_same_refusal(seen, 404, {"error": {"message": SITE_NOT_FOUND}})

    def test_unknown_sites_are_still_404_and_foreign_ones_401(self, stranger, site):
        assert stranger.get("/api/v1/sites/alpha.test").status_code == 401
        missing = stranger.get("/api/v1/sites/nowhere.test")
        assert (missing.status_code, missing.json()) == (404, {"error": SITE_NOT_FOUND})

    def test_a_member_still_learns_the_teams_standing(self, api, bob, alpha, site, issue_key):
        member = api.with_key(issue_key(bob))
        seen = answers_in_every_standing(alpha, lambda: member.get("/api/v1/sites/alpha.test"))
        assert [status for status, _ in seen] == [402, 402, 200, 200]
        assert seen[0][1] == {"error": TEAM_LOCKED}


@pytest.fixture
def population(alice, charlie, make_site, make_guest):
    """Alice's world: every kind of role, on teams in every standing, and sites of
    strangers. Returns the teams by name."""
    teams = {}

    def team(name, role, domain, guest_domain=None, guest_role="viewer", **standing):
        owner = alice if role == Role.OWNER else charlie
        made = create_team(name=name, owner=owner)
        if role not in (Role.OWNER, None):
            add_member(team=made, user=alice, role=role)
        make_site(made, domain)
        if guest_domain:
            make_guest(make_site(made, guest_domain), alice, role=guest_role)
        if standing:
            set_team_entitlements(team=made, **standing)
        teams[name] = made
        return made

    team("owned", Role.OWNER, "owned.test")
    team("viewing", Role.VIEWER, "viewing.test")
    team("editing", Role.EDITOR, "editing.test")
    team("billing", Role.BILLING, "billing.test")
    team("locked", Role.ADMIN, "locked.test", locked=True)
    team("no stats api", Role.OWNER, "nostats.test", features=[Feature.SITES_API])
    team("stats api only", Role.ADMIN, "statsonly.test", features=[Feature.STATS_API])
    team("hosting", None, "stranger.test", guest_domain="guest.test")
    team(
        "locked host",
        None,
        "lockedhost.test",
        guest_domain="guestlocked.test",
        guest_role="editor",
        locked=True,
    )
    team("guest of a billing member", Role.BILLING, "billinghost.test", "billingguest.test")
    return teams


DIALECTS = ["plausible", "resource"]


def listed(client, dialect, team_id=None) -> tuple[int, set[str]]:
    path = "/api/v1/sites" if dialect == "plausible" else "/api/v1/analytics/sites"
    response = client.get(path, {"team_id": str(team_id)} if team_id else {})
    if response.status_code != 200:
        return response.status_code, set()
    body = response.json()
    items = body["sites"] if dialect == "plausible" else body["data"]
    return 200, {item["domain"] for item in items}


def readable_one_by_one(client, dialect) -> set[str]:
    readable = set()
    for site in Site.objects.all():
        if dialect == "plausible":
            path = f"/api/v1/sites/{site.domain}"
        else:
            path = f"/api/v1/analytics/sites/{site.site_key}"
        if client.get(path).status_code == 200:
            readable.add(site.domain)
    return readable


class TestListsShowExactlyWhatCanBeRead:
    @pytest.mark.parametrize("dialect", DIALECTS)
    def test_a_legacy_key_lists_what_it_can_read(self, api, alice, issue_key, population, dialect):
        client = api.with_key(issue_key(alice))
        status, domains = listed(client, dialect)
        assert status == 200
        assert domains == readable_one_by_one(client, dialect)
        # What the equivalence means here, spelled out.
        assert domains == {
            "owned.test",
            "viewing.test",
            "editing.test",
            "statsonly.test",
            "guest.test",
        }

    @pytest.mark.parametrize("dialect", DIALECTS)
    def test_each_team_key_lists_what_it_can_read(self, api, alice, issue_key, population, dialect):
        for name, team in population.items():
            if not Membership.objects.filter(team=team, user=alice).exists():
                continue  # no team key can be issued there
            client = api.with_key(issue_key(alice, team=team))
            status, domains = listed(client, dialect)
            readable = readable_one_by_one(client, dialect)
            if status == 200:
                assert domains == readable, name
            else:  # the team itself is refused (402), and so is each of its sites
                assert status == 402 and readable == set(), name

    @pytest.mark.parametrize("dialect", DIALECTS)
    def test_a_legacy_key_naming_a_team_lists_what_it_can_read_there(
        self, api, alice, issue_key, population, dialect
    ):
        client = api.with_key(issue_key(alice))
        readable = readable_one_by_one(client, dialect)
        for name, team in population.items():
            status, domains = listed(client, dialect, team_id=team.identifier)
            if status != 200:
                assert status in (401, 402), name
                continue
            role = Membership.objects.filter(team=team, user=alice).first()
            of_team = {site.domain for site in Site.objects.filter(team=team)}
            # A team named by a mere guest lists nothing (Plausible's rule).
            expected = readable & of_team if role is not None else set()
            assert domains == expected, name

    def test_a_billing_member_lists_nothing_it_cannot_read(self, api, alice, issue_key, population):
        billing = population["billing"]
        for client in (
            api.with_key(issue_key(alice)),
            api.with_key(issue_key(alice, team=billing)),
        ):
            for dialect in DIALECTS:
                assert "billing.test" not in listed(client, dialect)[1]
                assert "billing.test" not in listed(client, dialect, billing.identifier)[1]

    def test_the_list_is_one_query(self, api, alice, issue_key, population, query_budget):
        client = api.with_key(issue_key(alice))
        client.get("/api/v1/sites")  # warm last_used_at
        for path in ["/api/v1/sites", "/api/v1/analytics/sites"]:
            with query_budget(2):  # the key, then the page
                assert client.get(path).status_code == 200

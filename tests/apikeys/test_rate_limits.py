"""Hourly and burst limits (docs/plausible-compat.md#rate-limits), on a real Redis and on the
in-process fallback, with a controllable clock."""

import http_sfv
import pytest

from api.ratelimit import BURST_MESSAGE, HOURLY_MESSAGE
from apikeys.exceptions import MISSING_API_KEY
from teams.services import set_team_entitlements
from tests.site_fixtures import PROVISION, READ_ONLY

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


def parse_policy(response) -> dict:
    policies = http_sfv.List()
    policies.parse(response["RateLimit-Policy"].encode())
    return {item.value: dict(item.params) for item in policies}


def parse_ratelimit(response) -> tuple[str, dict]:
    item = http_sfv.Item()
    item.parse(response["RateLimit"].encode())
    return item.value, dict(item.params)


def spend(client, count: int, path: str = TEAMS) -> list[int]:
    return [client.get(path).status_code for _ in range(count)]


@pytest.fixture
def team_client(api, alice, alpha, issue_key):
    return api.with_key(issue_key(alice, team=alpha, scopes=PROVISION))


class TestLimits:
    def test_the_burst_limit_with_its_exact_message(self, limiter, team_client, alpha):
        set_team_entitlements(team=alpha, burst_request_limit=60, burst_period_seconds=10)
        assert spend(team_client, 60) == [200] * 60
        refused = team_client.get(TEAMS)
        assert refused.status_code == 429
        assert refused.json() == {
            "error": "Too many API requests in a short period of time. The limit is 60 per "
            "10 seconds. Please throttle your requests."
        }
        assert refused.json()["error"] == BURST_MESSAGE.format(limit=60, period=10)

    def test_the_hourly_limit_with_its_exact_message(self, limiter, team_client, alpha):
        set_team_entitlements(team=alpha, hourly_api_request_limit=100)
        assert spend(team_client, 100) == [200] * 100
        refused = team_client.get(TEAMS)
        assert refused.status_code == 429
        assert refused.json() == {
            "error": "Too many API requests. The limit is 100 per hour. Please contact us "
            "to request more capacity."
        }
        assert refused.json()["error"] == HOURLY_MESSAGE.format(limit=100)

    def test_the_defaults_are_600_an_hour_and_100_a_minute(self, limiter, team_client):
        assert parse_policy(team_client.get(TEAMS)) == {
            "hourly": {"q": 600, "w": 3600},
            "burst": {"q": 100, "w": 60},
        }

    def test_requests_refused_by_the_hourly_limit_do_not_spend_the_burst(
        self, limiter, team_client, alpha, clock
    ):
        set_team_entitlements(team=alpha, hourly_api_request_limit=3, burst_request_limit=5)
        assert spend(team_client, 6) == [200] * 3 + [429] * 3
        set_team_entitlements(team=alpha, hourly_api_request_limit=1000)
        # Three burst requests spent so far, not six: two more pass, then 429.
        assert spend(team_client, 3) == [200, 200, 429]

    def test_a_new_window_is_a_new_budget(self, limiter, team_client, alpha, clock):
        set_team_entitlements(team=alpha, burst_request_limit=2, burst_period_seconds=10)
        clock.advance(9)  # one second before the burst window ends
        assert spend(team_client, 3) == [200, 200, 429]
        refused = team_client.get(TEAMS)
        assert refused["Retry-After"] == "1"
        clock.advance(1)  # exactly on the boundary
        assert spend(team_client, 3) == [200, 200, 429]

    def test_retry_after_is_never_before_the_window_ends(self, limiter, team_client, alpha, clock):
        set_team_entitlements(team=alpha, hourly_api_request_limit=1)
        clock.advance(0.25)
        team_client.get(TEAMS)
        refused = team_client.get(TEAMS)
        assert refused["Retry-After"] == "3600"  # 3599.75 s left, rounded up
        clock.advance(3599.5)
        assert team_client.get(TEAMS)["Retry-After"] == "1"
        clock.advance(0.25)
        assert team_client.get(TEAMS).status_code == 200

    def test_a_change_in_the_admin_applies_to_the_next_request(self, limiter, team_client, alpha):
        set_team_entitlements(team=alpha, burst_request_limit=1)
        assert spend(team_client, 2) == [200, 429]
        set_team_entitlements(team=alpha, burst_request_limit=10)
        assert team_client.get(TEAMS).status_code == 200


class TestBuckets:
    def test_two_keys_of_one_team_share_the_bucket(
        self, limiter, api, alice, bob, alpha, issue_key
    ):
        set_team_entitlements(team=alpha, burst_request_limit=4)
        alices = api.with_key(issue_key(alice, team=alpha))
        bobs = api.with_key(issue_key(bob, team=alpha))
        assert spend(alices, 2) + spend(bobs, 2) == [200] * 4
        assert alices.get(TEAMS).status_code == 429
        assert bobs.get(TEAMS).status_code == 429

    def test_legacy_requests_on_a_site_count_against_the_sites_team(
        self, limiter, api, alice, alpha, site, issue_key
    ):
        set_team_entitlements(team=alpha, hourly_api_request_limit=5)
        legacy = api.with_key(issue_key(alice, scopes=PROVISION))
        scoped = api.with_key(issue_key(alice, team=alpha, scopes=PROVISION))
        assert spend(legacy, 5, "/api/v1/sites/alpha.test") == [200] * 5
        assert legacy.get("/api/v1/sites/alpha.test").status_code == 429
        assert scoped.get(TEAMS).status_code == 429

    def test_legacy_keys_are_limited_per_user(
        self, limiter, api, alice, alpha, issue_key, settings
    ):
        settings.LEGACY_HOURLY_API_REQUEST_LIMIT = 3
        first = api.with_key(issue_key(alice))
        second = api.with_key(issue_key(alice))
        scoped = api.with_key(issue_key(alice, team=alpha))
        assert spend(first, 2) + spend(second, 1) == [200] * 3
        refused = second.get(TEAMS)
        assert refused.status_code == 429
        assert refused.json() == {"error": HOURLY_MESSAGE.format(limit=3)}
        assert scoped.get(TEAMS).status_code == 200

    def test_another_team_is_not_affected(
        self, limiter, api, alice, charlie, alpha, charlies_team, issue_key
    ):
        set_team_entitlements(team=alpha, burst_request_limit=1)
        spend(api.with_key(issue_key(alice, team=alpha)), 2)
        assert api.with_key(issue_key(charlie, team=charlies_team)).get(TEAMS).status_code == 200


class TestWhatCounts:
    def test_requests_failing_later_checks_still_count(self, limiter, api, alice, alpha, issue_key):
        set_team_entitlements(team=alpha, burst_request_limit=2)
        read_only = api.with_key(issue_key(alice, team=alpha, scopes=READ_ONLY))
        statuses = [
            read_only.post("/api/v1/sites", {"domain": "x.test"}).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 429]

    def test_missing_and_invalid_keys_and_missing_site_ids_do_not_count(
        self, limiter, api, alice, alpha, team_client, issue_key
    ):
        set_team_entitlements(team=alpha, burst_request_limit=1)
        for _ in range(3):
            assert api.get(TEAMS).status_code == 401
            assert api.with_key("x" * 64).get(TEAMS).status_code == 401
            assert team_client.get("/api/v1/sites/goals").status_code == 400
        assert team_client.get(TEAMS).status_code == 200

    def test_rate_limiting_costs_no_database_query(self, limiter, team_client, query_budget):
        team_client.get(TEAMS)  # warm last_used_at
        with query_budget(2):  # the key, then the teams page
            assert team_client.get(TEAMS).status_code == 200


class TestHeaders:
    def test_every_authenticated_response_carries_the_headers(self, limiter, team_client, alpha):
        set_team_entitlements(team=alpha, burst_request_limit=10, burst_period_seconds=60)
        responses = [
            team_client.get(TEAMS),
            team_client.get("/api/v1/sites/missing.test"),  # 404
            team_client.post("/api/v1/sites", {"domain": "a&b.test"}, format="json"),  # 400
        ]
        for response in responses:
            assert parse_policy(response) == {
                "hourly": {"q": 600, "w": 3600},
                "burst": {"q": 10, "w": 60},
            }
            parse_ratelimit(response)

    def test_remaining_falls_by_one_per_request(self, limiter, team_client, alpha, clock):
        set_team_entitlements(team=alpha, burst_request_limit=5, burst_period_seconds=60)
        clock.advance(20)
        seen = [parse_ratelimit(team_client.get(TEAMS)) for _ in range(5)]
        assert [name for name, _ in seen] == ["burst"] * 5
        assert [params["r"] for _, params in seen] == [4, 3, 2, 1, 0]
        assert all(params["t"] == 40 for _, params in seen)

    def test_the_nearest_policy_is_reported(self, limiter, team_client, alpha):
        set_team_entitlements(team=alpha, hourly_api_request_limit=3, burst_request_limit=50)
        name, params = parse_ratelimit(team_client.get(TEAMS))
        assert (name, params["r"]) == ("hourly", 2)

    def test_a_429_says_which_limit_and_when(self, limiter, team_client, alpha, clock):
        set_team_entitlements(team=alpha, burst_request_limit=1, burst_period_seconds=30)
        clock.advance(10)
        team_client.get(TEAMS)
        refused = team_client.get(TEAMS)
        assert refused.status_code == 429
        assert parse_ratelimit(refused) == ("burst", {"r": 0, "t": 20})
        assert refused["Retry-After"] == "20"

    def test_unauthenticated_responses_carry_none(self, limiter, api):
        response = api.get(TEAMS)
        assert response.status_code == 401
        assert "RateLimit" not in response and "RateLimit-Policy" not in response
        assert response.json() == {"error": MISSING_API_KEY}


@pytest.mark.parametrize("path", [TEAMS, "/api/v1/sites/alpha.test"])
def test_counting_both_windows_is_one_redis_round_trip(
    redis_prefix, clock, team_client, site, path, monkeypatch
):
    """Counted on the connections themselves: a read whose site is fetched while
    the script runs sends its command past the client's execute_command."""
    from redis.connection import AbstractConnection

    from api.ratelimit import RedisRateLimiter, set_rate_limiter
    from tests.ratelimit_fixtures import redis_client

    set_rate_limiter(RedisRateLimiter(redis_client(), prefix=redis_prefix, clock=clock))
    team_client.get(path)  # loads the script into Redis once
    commands = []
    send = AbstractConnection.send_command

    def counting(connection, *args, **kwargs):
        commands.append(args[0])
        return send(connection, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_command", counting)
    for _ in range(5):
        assert team_client.get(path).status_code == 200
    assert commands == ["EVALSHA"] * 5


def test_an_outsider_naming_a_teams_site_does_not_spend_its_budget(
    limiter, api, alice, charlie, alpha, site, issue_key
):
    set_team_entitlements(team=alpha, hourly_api_request_limit=3)
    outsider = api.with_key(issue_key(charlie, scopes=PROVISION))
    assert spend(outsider, 5, "/api/v1/sites/alpha.test") == [401] * 5
    owner = api.with_key(issue_key(alice, team=alpha))
    assert spend(owner, 3) == [200] * 3


class TestAGuestSpendsItsOwnBudget:
    """A guest of one site is a tenant of its own: with a legacy key it spends its
    user's budget, never the host's (unlike Plausible: docs/plausible-compat.md#rate-limits)."""

    SITE = "/api/v1/sites/alpha.test"

    @pytest.fixture
    def guest(self, api, charlie, site, make_guest, issue_key):
        make_guest(site, charlie)
        return api.with_key(issue_key(charlie, scopes=PROVISION))

    @pytest.fixture
    def host(self, api, alice, alpha, issue_key):
        return api.with_key(issue_key(alice, team=alpha, scopes=PROVISION))

    def test_a_guest_exhausting_its_budget_leaves_the_host_teams_untouched(
        self, limiter, guest, host, alpha, settings
    ):
        settings.LEGACY_HOURLY_API_REQUEST_LIMIT = 3
        set_team_entitlements(team=alpha, hourly_api_request_limit=5)
        assert spend(guest, 4, self.SITE) == [200, 200, 200, 429]
        first = host.get(self.SITE)
        assert first.status_code == 200
        assert parse_ratelimit(first) == ("hourly", {"r": 4, "t": 3600})

    def test_a_host_team_exhausting_its_budget_leaves_the_guests_untouched(
        self, limiter, guest, host, alpha, settings
    ):
        settings.LEGACY_HOURLY_API_REQUEST_LIMIT = 5
        set_team_entitlements(team=alpha, hourly_api_request_limit=3)
        assert spend(host, 4, self.SITE) == [200, 200, 200, 429]
        first = guest.get(self.SITE)
        assert first.status_code == 200
        assert parse_ratelimit(first) == ("hourly", {"r": 4, "t": 3600})

    def test_a_member_of_the_sites_team_still_spends_the_teams_budget(
        self, limiter, api, bob, host, alpha, site, issue_key
    ):
        set_team_entitlements(team=alpha, hourly_api_request_limit=3)
        member = api.with_key(issue_key(bob))  # bob is a viewer of Alpha
        assert spend(member, 3, self.SITE) == [200] * 3
        assert host.get(self.SITE).status_code == 429

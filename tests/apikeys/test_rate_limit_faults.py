"""When Redis is unreachable: fail closed (503, the default) or fail open (serve,
warn once a minute), never a 500; and recovery without restarting the app."""

import logging

import pytest

from api.ratelimit import UNAVAILABLE_MESSAGE, RedisRateLimiter, set_rate_limiter
from tests.ratelimit_fixtures import free_port, redis_client

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_client(api, alice, alpha, issue_key):
    return api.with_key(issue_key(alice, team=alpha))


@pytest.fixture
def unreachable_redis():
    set_rate_limiter(RedisRateLimiter(redis_client(port=free_port()), prefix="nowhere"))


def test_it_fails_closed_by_default(unreachable_redis, team_client, settings):
    assert settings.RATELIMIT_FAIL_OPEN is False
    response = team_client.get(TEAMS)
    assert response.status_code == 503
    assert response.json() == {"error": UNAVAILABLE_MESSAGE}
    assert response["Retry-After"]


def test_failing_open_serves_and_warns_once_a_minute(
    unreachable_redis, team_client, settings, caplog
):
    settings.RATELIMIT_FAIL_OPEN = True
    from api import ratelimit

    ratelimit._warn_fail_open.last = 0.0
    with caplog.at_level(logging.WARNING, logger="api.ratelimit"):
        assert [team_client.get(TEAMS).status_code for _ in range(3)] == [200] * 3
    warnings = [r for r in caplog.records if "serving without limits" in r.getMessage()]
    assert len(warnings) == 1
    assert "RateLimit" not in team_client.get(TEAMS)


def test_redis_stopped_mid_run_and_started_again(own_redis, team_client, settings):
    limiter = RedisRateLimiter(redis_client(port=own_redis.port), prefix="fault")
    set_rate_limiter(limiter)
    assert team_client.get(TEAMS).status_code == 200

    own_redis.stop()
    down = team_client.get(TEAMS)
    assert down.status_code == 503 and down.json() == {"error": UNAVAILABLE_MESSAGE}
    settings.RATELIMIT_FAIL_OPEN = True
    assert team_client.get(TEAMS).status_code == 200
    settings.RATELIMIT_FAIL_OPEN = False

    own_redis.start()  # same port, same limiter object: no restart of the app
    back = team_client.get(TEAMS)
    assert back.status_code == 200
    assert "RateLimit" in back


def test_a_request_refused_for_want_of_redis_logs_one_line_not_two(
    unreachable_redis, team_client, caplog
):
    """Every request meets the outage: a second, django.request "Service
    Unavailable" line per request doubled the log of an outage."""
    with caplog.at_level(logging.INFO):
        assert team_client.get(TEAMS).status_code == 503
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["api.ratelimit"], [r.getMessage() for r in lines]
    assert lines[0].exc_info is None

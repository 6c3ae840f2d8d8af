"""GET /api/health says whether this instance can serve (200) or not (503), with
one status per dependency; GET /api/health/live touches no dependency."""

import pytest
from django.db import connection

from tests.config.test_database_outages import database_down

pytestmark = pytest.mark.django_db(transaction=True)


def database_key() -> str:
    return "postgres" if connection.vendor == "postgresql" else connection.vendor


def test_a_healthy_instance_answers_200_with_each_dependency(client, settings):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body[database_key()] == "ok"
    assert body["redis"] == ("ok" if settings.REDIS_URL else "not configured")
    if connection.vendor != "postgresql":
        assert body["postgres"] == "not configured"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database that can go away")
def test_a_database_outage_is_503_naming_the_database(client, tmp_path):
    with database_down(tmp_path):
        response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()[database_key()] == "error"


def test_liveness_touches_no_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_redis_outage_is_503(client, settings, own_redis):
    from django.core.cache import caches

    settings.REDIS_URL = f"redis://127.0.0.1:{own_redis.port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    caches._settings = None  # let django.core.cache pick the overridden CACHES up
    try:
        assert client.get("/api/health").json()["redis"] == "ok"
        own_redis.stop()
        response = client.get("/api/health")
        assert response.status_code == 503 and response.json()["redis"] == "error"
    finally:
        caches._settings = None


def test_health_needs_no_key_and_no_https(client, settings):
    settings.ALLOW_PLAIN_HTTP = False
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/health/live").status_code == 200
    # Every other API path still refuses plain HTTP.
    assert client.get("/api/v1/sites").status_code == 403


def test_health_is_never_rate_limited(client, settings):
    for _ in range(150):  # past every default burst limit
        assert client.get("/api/health/live").status_code == 200


def test_unknown_api_paths_are_json_404_with_debug_on(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/nothing-here/at-all")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")

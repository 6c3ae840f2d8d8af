"""CORS on /api/ (django-cors-headers), configured from the environment."""

import pytest

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/sites/teams"


def preflight(client, origin, method="PUT", headers="authorization, x-api-key, content-type"):
    return client.options(
        TEAMS,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_any_origin_is_allowed_by_default(client):
    response = preflight(client, "https://panel.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "x-api-key" in allowed


def test_rate_limit_headers_are_exposed(api, alice, alpha, issue_key):
    response = api.with_key(issue_key(alice, team=alpha)).get(
        TEAMS, HTTP_ORIGIN="https://panel.example"
    )
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ratelimit", "ratelimit-policy", "retry-after"} <= exposed
    assert "RateLimit" in response


def test_listed_origins_only(client, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://panel.example"]
    allowed = preflight(client, "https://panel.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://panel.example"
    refused = preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused


def test_methods_are_configurable(client, settings):
    settings.CORS_ALLOW_METHODS = ["GET"]
    response = preflight(client, "https://panel.example", method="DELETE")
    assert response["Access-Control-Allow-Methods"] == "GET"


def test_cors_stays_off_the_admin(client):
    response = client.get("/admin/login/", HTTP_ORIGIN="https://panel.example")
    assert "Access-Control-Allow-Origin" not in response

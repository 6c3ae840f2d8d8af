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


@pytest.mark.parametrize("origin", [None, ""])
def test_without_an_origin_an_api_response_only_varies_on_it(api, alice, alpha, issue_key, origin):
    """What corsheaders answers a request without Origin (api.middleware skips
    parsing every header for it): `Vary: origin` for caches, no CORS headers."""
    extra = {} if origin is None else {"HTTP_ORIGIN": origin}
    response = api.with_key(issue_key(alice, team=alpha)).get(TEAMS, **extra)
    assert response.status_code == 200
    assert "origin" in response["Vary"].lower()
    assert not [header for header in response.headers if header.lower().startswith("access-")]


def test_without_an_origin_the_admin_does_not_vary_on_it(client):
    assert "origin" not in client.get("/admin/login/").get("Vary", "").lower()

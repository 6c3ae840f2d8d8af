"""HTTPS only unless allowed, a maximum body size, and JSON errors for anything
under /api/ that no view answers."""

import ipaddress
import json

import pytest
from django.test import Client

from api import errors
from api.middleware import HTTPS_REQUIRED

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/sites/teams"


class TestHttpsOnly:
    def test_plain_http_is_refused_with_a_json_403_not_a_redirect(
        self, api, alice, alpha, issue_key, settings
    ):
        settings.ALLOW_PLAIN_HTTP = False
        response = api.with_key(issue_key(alice, team=alpha)).get(TEAMS)
        assert response.status_code == 403
        assert response.json() == {"error": HTTPS_REQUIRED}

    def test_https_is_served(self, api, alice, alpha, issue_key, settings):
        settings.ALLOW_PLAIN_HTTP = False
        assert api.with_key(issue_key(alice, team=alpha)).get(TEAMS, secure=True).status_code == 200

    def test_the_proxy_header_counts_as_https_from_a_trusted_proxy(
        self, api, alice, alpha, issue_key, settings
    ):
        settings.ALLOW_PLAIN_HTTP = False
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]  # the test client
        client = api.with_key(issue_key(alice, team=alpha))
        assert client.get(TEAMS, HTTP_X_FORWARDED_PROTO="https").status_code == 200
        assert client.get(TEAMS, HTTP_X_FORWARDED_PROTO="http").status_code == 403

    def test_without_a_configured_proxy_header_the_header_is_ignored(self, api, settings):
        settings.ALLOW_PLAIN_HTTP = False
        assert api.get(TEAMS, HTTP_X_FORWARDED_PROTO="https").status_code == 403

    def test_allowing_plain_http_turns_the_rule_off(self, api, alice, alpha, issue_key, settings):
        settings.ALLOW_PLAIN_HTTP = True
        assert api.with_key(issue_key(alice, team=alpha)).get(TEAMS).status_code == 200

    def test_the_rule_is_checked_before_the_key(self, api, settings):
        settings.ALLOW_PLAIN_HTTP = False
        assert api.get(TEAMS).json() == {"error": HTTPS_REQUIRED}


class TestBodySize:
    def test_a_body_over_the_limit_is_a_json_413(self, alice_api, site, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        body = json.dumps({"site_id": "alpha.test", "property": "x" * 2000})
        response = alice_api.put(
            "/api/v1/sites/custom-props", body, content_type="application/json"
        )
        assert response.status_code == 413
        assert response.json() == {"error": "The request body is too large (at most 1024 bytes)."}

    def test_a_form_body_over_the_limit_is_a_json_413(self, alice_api, site, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        response = alice_api.put(
            "/api/v1/sites/custom-props",
            "site_id=alpha.test&property=" + "x" * 2000,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 413

    def test_the_default_limit_is_one_mebibyte(self, settings):
        assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


class TestJsonErrors:
    @pytest.mark.parametrize(
        "path", ["/api/", "/api/nope", "/api/v1/other", "/api/v2/auth/elsewhere"]
    )
    def test_unknown_api_paths_are_a_json_404(self, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"error": errors.UNKNOWN_PATH}

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_an_unknown_path_is_a_json_404_for_writes_too(self, method):
        """Not Django's HTML CSRF page: the catch-all is exempt, as every API view is."""
        client = Client(enforce_csrf_checks=True)
        response = getattr(client, method)("/api/v1/nope", "{}", content_type="application/json")
        assert response.status_code == 404
        assert response.json() == {"error": errors.UNKNOWN_PATH}

    def test_an_unsupported_method_is_a_json_405(self, alice_api, site):
        response = alice_api.patch("/api/v1/sites/alpha.test", {}, format="json")
        assert response.status_code == 405
        assert set(response.json()) == {"error"}

    def test_an_html_only_accept_header_is_a_json_406(self, alice_api, site):
        response = alice_api.get("/api/v1/sites/alpha.test", HTTP_ACCEPT="text/html")
        assert response.status_code == 406
        assert set(response.json()) == {"error"}

    def test_pages_outside_the_api_keep_html_404s(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert not response["Content-Type"].startswith("application/json")

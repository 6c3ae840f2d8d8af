"""Forwarded headers count only from TRUSTED_PROXIES. Django believes
SECURE_PROXY_SSL_HEADER from anyone; api.middleware deletes it (and the other
forwarded headers) when the TCP peer is not a trusted proxy, so a forged
`X-Forwarded-Proto: https` over plain HTTP is refused like any plain request."""

import ipaddress

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from api.middleware import HTTPS_REQUIRED, UntrustedForwardedHeadersMiddleware

pytestmark = pytest.mark.django_db

SITES = "/api/v1/sites"
FORGED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_SSL": "on",
    "HTTP_X_FORWARDED_FOR": "203.0.113.5",
    "HTTP_X_FORWARDED_HOST": "evil.example",
    "HTTP_FORWARDED": "for=203.0.113.5;proto=https",
}


@pytest.fixture
def behind_a_proxy_header(settings):
    settings.ALLOW_PLAIN_HTTP = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.usefixtures("behind_a_proxy_header")
class TestTheProxySslHeader:
    def test_a_forged_proxy_header_over_plain_http_is_refused_like_any_plain_request(self, api):
        plain = api.get(SITES, REMOTE_ADDR="127.0.0.1")
        forged = api.get(SITES, REMOTE_ADDR="127.0.0.1", **FORGED)
        assert plain.status_code == forged.status_code == 403
        assert plain.json() == forged.json() == {"error": HTTPS_REQUIRED}

    def test_a_trusted_proxy_is_believed(self, api):
        response = api.get(SITES, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 401  # past the HTTPS rule, at the missing key

    def test_a_trusted_proxy_saying_http_is_believed_too(self, api):
        response = api.get(SITES, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_PROTO="http")
        assert response.status_code == 403

    def test_a_custom_header_name_is_deleted_as_well(self, api, settings):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_SCHEME", "https")
        assert api.get(SITES, REMOTE_ADDR="127.0.0.1", HTTP_X_SCHEME="https").status_code == 403
        assert api.get(SITES, REMOTE_ADDR="10.0.0.1", HTTP_X_SCHEME="https").status_code == 401


def seen_meta(remote_addr: str) -> dict:
    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **FORGED)
    UntrustedForwardedHeadersMiddleware(view)(request)
    return seen


def test_every_forwarded_header_from_an_untrusted_peer_is_deleted(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert not set(FORGED) & set(seen_meta("198.51.100.1"))
    assert set(FORGED) <= set(seen_meta("10.0.0.1"))


def test_nothing_is_believed_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert not set(FORGED) & set(seen_meta("127.0.0.1"))


def test_the_middleware_runs_before_everything_else():
    assert django_settings.MIDDLEWARE[0] == ("api.middleware.UntrustedForwardedHeadersMiddleware")

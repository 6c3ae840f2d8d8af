from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apikeys import keys
from apikeys.authentication import ApiKeyAuthentication
from apikeys.exceptions import INVALID_API_KEY, KEY_IN_URL, MISSING_API_KEY, NETWORK_NOT_ALLOWED
from apikeys.models import ApiKey

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


def error_of(response) -> str:
    return response.json()["error"]


class TestMissingKey:
    def test_no_header_is_401_missing(self, api):
        response = api.get(TEAMS)
        assert response.status_code == 401
        assert response.json() == {"error": MISSING_API_KEY}
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "authorization", ["Basic YWxpY2U6cGFzcw==", "bearer abc", "Bearer", "Token abc", "BEARER x"]
    )
    def test_other_schemes_are_missing_not_invalid(self, api, authorization):
        response = api.get(TEAMS, HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 401
        assert error_of(response) == MISSING_API_KEY

    def test_the_response_is_json(self, api):
        response = api.get(TEAMS)
        assert response["Content-Type"].startswith("application/json")


class TestInvalidKey:
    def test_an_empty_bearer_token_is_invalid(self, api):
        response = api.get(TEAMS, HTTP_AUTHORIZATION="Bearer ")
        assert response.status_code == 401
        assert error_of(response) == INVALID_API_KEY

    @pytest.mark.parametrize("raw", ["nope", "x" * 64, "A" * 63, "🔑" * 16])
    def test_a_malformed_key_is_invalid_without_any_query(
        self, api, raw, django_assert_num_queries
    ):
        with django_assert_num_queries(0):
            response = api.get(TEAMS, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401
        assert error_of(response) == INVALID_API_KEY

    def test_a_well_formed_unknown_key_is_invalid(self, api):
        response = api.with_key(keys.generate_raw_key()).get(TEAMS)
        assert response.status_code == 401
        assert error_of(response) == INVALID_API_KEY

    def test_a_truncated_real_key_is_invalid(self, api, alice, issue_key):
        raw = issue_key(alice)
        response = api.with_key(raw[:-1]).get(TEAMS)
        assert response.status_code == 401


class TestHeaders:
    def test_bearer_works(self, api, alice, issue_key):
        assert api.with_key(issue_key(alice)).get(TEAMS).status_code == 200

    def test_x_api_key_works(self, api, alice, issue_key):
        assert api.with_key(issue_key(alice), header="x-api-key").get(TEAMS).status_code == 200

    def test_surrounding_whitespace_is_trimmed(self, api, alice, issue_key):
        raw = issue_key(alice)
        response = api.get(TEAMS, HTTP_AUTHORIZATION=f"Bearer   {raw}  ")
        assert response.status_code == 200

    @pytest.mark.parametrize("param", ["api_key", "key", "token", "access_token"])
    def test_a_key_in_the_query_string_is_refused(self, api, alice, issue_key, param):
        raw = issue_key(alice)
        response = api.get(f"{TEAMS}?{param}={raw}")
        assert response.status_code == 401
        assert error_of(response) == KEY_IN_URL

    def test_a_key_under_any_query_parameter_is_refused_even_with_a_header(
        self, api, alice, issue_key
    ):
        raw = issue_key(alice)
        response = api.with_key(raw).get(f"{TEAMS}?whatever={raw}")
        assert response.status_code == 401
        assert error_of(response) == KEY_IN_URL


class TestKeyLifecycle:
    def test_revocation_takes_effect_on_the_next_request(self, api, alice, issue_key):
        raw = issue_key(alice)
        client = api.with_key(raw)
        assert client.get(TEAMS).status_code == 200
        ApiKey.objects.filter(key_prefix=raw[:6]).update(revoked_at=timezone.now())
        response = client.get(TEAMS)
        assert response.status_code == 401
        assert error_of(response) == INVALID_API_KEY

    def test_an_expired_key_is_invalid(self, api, alice, issue_key):
        raw = issue_key(alice, expires_at=timezone.now() + timedelta(minutes=5))
        client = api.with_key(raw)
        assert client.get(TEAMS).status_code == 200
        ApiKey.objects.filter(key_prefix=raw[:6]).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert client.get(TEAMS).status_code == 401

    def test_a_deactivated_users_key_is_invalid(self, api, alice, issue_key):
        raw = issue_key(alice)
        alice.is_active = False
        alice.save()
        assert api.with_key(raw).get(TEAMS).status_code == 401

    def test_last_used_is_written_at_most_once_a_minute(self, api, alice, issue_key):
        raw = issue_key(alice)
        client = api.with_key(raw)
        client.get(TEAMS)
        first = ApiKey.objects.get(key_prefix=raw[:6]).last_used_at
        assert first is not None
        client.get(TEAMS)
        assert ApiKey.objects.get(key_prefix=raw[:6]).last_used_at == first
        ApiKey.objects.filter(key_prefix=raw[:6]).update(last_used_at=first - timedelta(minutes=2))
        client.get(TEAMS)
        assert ApiKey.objects.get(key_prefix=raw[:6]).last_used_at > first - timedelta(minutes=2)


class TestNetworkRestriction:
    def test_a_key_is_accepted_from_an_allowed_network(self, api, alice, issue_key):
        raw = issue_key(alice, allowed_networks=["10.0.0.0/8"])
        response = api.with_key(raw).get(TEAMS, REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200

    def test_a_key_is_refused_from_another_network_with_a_clear_403(self, api, alice, issue_key):
        raw = issue_key(alice, allowed_networks=["10.0.0.0/8"])
        response = api.with_key(raw).get(TEAMS, REMOTE_ADDR="192.0.2.1")
        assert response.status_code == 403
        assert error_of(response) == NETWORK_NOT_ALLOWED.format(address="192.0.2.1")

    def test_ipv6_networks_work(self, api, alice, issue_key):
        raw = issue_key(alice, allowed_networks=["2001:db8::/32"])
        assert api.with_key(raw).get(TEAMS, REMOTE_ADDR="2001:db8::1").status_code == 200
        assert api.with_key(raw).get(TEAMS, REMOTE_ADDR="2001:db9::1").status_code == 403

    def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(
        self, api, alice, issue_key, settings
    ):
        settings.TRUSTED_PROXIES = []
        raw = issue_key(alice, allowed_networks=["10.0.0.0/8"])
        response = api.with_key(raw).get(
            TEAMS, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.2.3"
        )
        assert response.status_code == 403

    def test_a_trusted_proxy_forwards_the_client_address(self, api, alice, issue_key, settings):
        import ipaddress

        settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.0/8")]
        raw = issue_key(alice, allowed_networks=["10.0.0.0/8"])
        allowed = api.with_key(raw).get(
            TEAMS, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3"
        )
        assert allowed.status_code == 200
        # The client cannot prepend its own choice: the rightmost untrusted hop counts.
        spoofed = api.with_key(raw).get(
            TEAMS, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3, 192.0.2.9"
        )
        assert spoofed.status_code == 403


class TestQueryBudget:
    def test_authentication_costs_one_query(self, alice, issue_key, django_assert_num_queries):
        raw = issue_key(alice)
        factory = APIRequestFactory()
        authentication = ApiKeyAuthentication()
        # The first use also records last_used_at (at most once a minute).
        authentication.authenticate(Request(factory.get(TEAMS, HTTP_AUTHORIZATION=f"Bearer {raw}")))
        request = factory.get(TEAMS, HTTP_AUTHORIZATION=f"Bearer {raw}")
        with django_assert_num_queries(1):
            user, principal = authentication.authenticate(Request(request))
        assert user == alice
        assert principal.api_key.key_prefix == raw[:6]

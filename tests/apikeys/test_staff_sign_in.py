"""Basic-auth sign-in on the staff key endpoints (apikeys.staff_authentication):
every refusal is the same answer and counts as a failed sign-in, guessing is
throttled per client address and per account (in the shared cache: in memory
here, and on a real Redis), and a client over its budget costs no password hash."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.services import create_user
from accounts.throttle import TOO_MANY_FAILURES
from apikeys.models import ApiKey
from apikeys.staff_authentication import (
    BAD_CREDENTIALS,
    CHALLENGE,
    THROTTLE_UNAVAILABLE,
    THROTTLE_UNAVAILABLE_RETRY_AFTER,
)
from tests.apikeys.staff import ISSUE_AND_REVOKE, KEYS, REVOKE, basic, basic_bytes, create_staff

pytestmark = pytest.mark.django_db

RIGHT = basic("ops@example.com", "ops-password-1")

# Every way of not getting in. Each must look exactly like a wrong password.
REFUSED = {
    "wrong password": basic("ops@example.com", "wrong"),
    "unknown email": basic("nobody@example.com", "ops-password-1"),
    "inactive staff, right password": basic("gone@example.com", "gone-password-1"),
    "non-staff, right password": basic("alice@example.com", "alice-password-1"),
    "non-staff, wrong password": basic("alice@example.com", "wrong"),
    "staff without the permission, right password": basic(
        "helpdesk@example.com", "helpdesk-password-1"
    ),
    "no colon": basic_bytes(b"ops@example.com"),
    "empty email": basic_bytes(b":ops-password-1"),
    "NUL in the email": basic_bytes(b"ops@example.com\x00:ops-password-1"),
    "NUL in the password": basic_bytes(b"ops@example.com:ops-password-1\x00"),
    "invalid UTF-8 in the email": basic_bytes(b"ops\xff@example.com:ops-password-1"),
    "invalid UTF-8 in the password": basic_bytes(b"ops@example.com:\xc3\x28"),
    "an encoded surrogate": basic_bytes(b"ops@example.com:\xed\xa0\x80"),
    "malformed base64": "Basic !!!not-base64!!!",
    "truncated base64": RIGHT[:-3],
    "empty credentials": "Basic ",
}


@pytest.fixture
def people(staff, helpdesk, alice):
    gone = create_staff("gone@example.com", "gone-password-1", *ISSUE_AND_REVOKE)
    gone.is_active = False
    gone.save(update_fields=["is_active"])


def attempt(api, authorization, address="198.51.100.1", path=KEYS, body=None):
    body = {} if body is None else body
    return api.post(
        path, body, format="json", HTTP_AUTHORIZATION=authorization, REMOTE_ADDR=address
    )


def answer(response) -> tuple:
    return (response.status_code, response.content, sorted(response.headers.items()))


class TestOneAnswerForEveryRefusal:
    @pytest.mark.parametrize("path", [KEYS, REVOKE])
    @pytest.mark.parametrize("case", REFUSED)
    def test_a_refusal_never_tells_why(self, api, people, case, path):
        body = {"key_prefix": "abcdef"} if path == REVOKE else {}
        reference = attempt(api, REFUSED["wrong password"], path=path, body=body)
        assert reference.status_code == 401
        assert reference.json() == {"error": BAD_CREDENTIALS}
        assert reference["WWW-Authenticate"] == CHALLENGE

        response = attempt(api, REFUSED[case], address="198.51.100.2", path=path, body=body)
        assert answer(response) == answer(reference)
        assert ApiKey.objects.count() == 0

    @pytest.mark.parametrize("case", REFUSED)
    def test_every_refusal_counts_as_a_failed_sign_in(self, api, people, settings, case):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
        assert attempt(api, REFUSED[case]).status_code == 401
        # The same address is now over its budget, even with the right password.
        assert attempt(api, RIGHT).status_code == 429
        assert attempt(api, RIGHT, address="198.51.100.99").status_code == 201

    def test_malformed_credentials_are_a_401_on_any_database(self, api, people):
        """PostgreSQL refuses NUL in a query; such credentials never reach it."""
        for case in ("NUL in the email", "NUL in the password", "invalid UTF-8 in the email"):
            assert attempt(api, REFUSED[case]).status_code == 401

    def test_the_right_credentials_still_work(self, api, people):
        assert attempt(api, RIGHT).status_code == 201

    def test_the_email_is_case_insensitive(self, api, people):
        assert attempt(api, basic("OPS@Example.com", "ops-password-1")).status_code == 201


class TestGuessingIsThrottled:
    def test_the_limit_per_address_is_answered_429_with_retry_after(self, api, people, settings):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "3/15m"
        for n in range(3):
            assert attempt(api, basic(f"guess{n}@example.com", "x")).status_code == 401
        refused = attempt(api, basic("guess9@example.com", "x"))
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 15 * 60
        assert refused.json() == {
            "error": TOO_MANY_FAILURES.format(seconds=int(refused["Retry-After"]))
        }
        assert not refused.get("WWW-Authenticate", "").lower().startswith("basic")

    def test_a_client_over_the_limit_costs_no_password_hash(
        self, api, people, settings, monkeypatch
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
        hashed = []
        for method in ("verify", "encode"):
            original = getattr(MD5PasswordHasher, method)
            monkeypatch.setattr(
                MD5PasswordHasher,
                method,
                lambda self, *args, _original=original, _name=method: (
                    hashed.append(_name) or _original(self, *args)
                ),
            )
        assert attempt(api, REFUSED["wrong password"]).status_code == 401
        assert "verify" in hashed  # an attempt under the limit is checked
        hashed.clear()
        for authorization in (RIGHT, REFUSED["wrong password"], REFUSED["unknown email"]):
            assert attempt(api, authorization).status_code == 429
        assert hashed == []

    def test_a_right_password_does_not_count(self, api, people, settings):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "2/15m"
        for _ in range(5):
            assert attempt(api, RIGHT).status_code == 201

    def test_no_credentials_at_all_are_not_a_sign_in_attempt(self, api, people, settings):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
        for _ in range(3):
            assert api.post(KEYS, {}, format="json").status_code == 401
        assert attempt(api, RIGHT, address="127.0.0.1").status_code == 201


class TestBothCounters:
    def test_one_address_guessing_many_accounts_is_stopped(
        self, api, people, settings, shared_cache
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "2/15m"
        settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "100/15m"
        for email in ("a@example.com", "b@example.com"):
            assert attempt(api, basic(email, "x"), address="203.0.113.1").status_code == 401
        assert attempt(api, basic("c@example.com", "x"), address="203.0.113.1").status_code == 429
        # Another address, and the same accounts, are unaffected.
        assert attempt(api, basic("c@example.com", "x"), address="203.0.113.2").status_code == 401
        assert attempt(api, RIGHT, address="203.0.113.2").status_code == 201

    def test_many_addresses_guessing_one_account_are_stopped(
        self, api, people, settings, shared_cache
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "100/15m"
        settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "2/15m"
        wrong = basic("ops@example.com", "wrong")
        assert attempt(api, wrong, address="203.0.113.1").status_code == 401
        assert attempt(api, wrong, address="2001:db8::1").status_code == 401
        # The account is locked from everywhere, for the right password too...
        assert attempt(api, RIGHT, address="203.0.113.3").status_code == 429
        # ...and the account is counted however its email is spelt.
        assert attempt(api, basic("OPS@example.com", "ops-password-1")).status_code == 429
        # Other accounts sign in from the same addresses.
        other = create_staff("ops2@example.com", "ops2-password-1", *ISSUE_AND_REVOKE)
        assert attempt(api, basic(other.email, "ops2-password-1"), "203.0.113.1").status_code == 201


class TestCounterUnavailable:
    def test_a_lost_counter_is_a_503_with_retry_after_not_a_free_guess(
        self, api, people, settings, unreachable_cache
    ):
        settings.RATELIMIT_FAIL_OPEN = False
        for authorization in (RIGHT, REFUSED["wrong password"]):
            response = attempt(api, authorization)
            assert response.status_code == 503
            assert response.json() == {"error": THROTTLE_UNAVAILABLE}
            assert response["Retry-After"] == str(THROTTLE_UNAVAILABLE_RETRY_AFTER)
        assert ApiKey.objects.count() == 0

    def test_failing_open_signs_in_without_counting(self, api, people, settings, unreachable_cache):
        settings.RATELIMIT_FAIL_OPEN = True
        assert attempt(api, RIGHT).status_code == 201
        assert attempt(api, REFUSED["wrong password"]).status_code == 401


def test_a_user_created_without_a_password_cannot_sign_in(api, db):
    create_user(email="nopass@example.com", password=None, is_staff=True, is_superuser=True)
    assert attempt(api, basic("nopass@example.com", "")).status_code == 401

"""The admin login page (/admin/login/) is throttled like staff basic auth:
failed logins are counted per client address and per account, and once over the
limit a POST is a 429 with Retry-After before any password is checked."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from accounts.admin_login import SIGN_IN_UNAVAILABLE, UNAVAILABLE_RETRY_AFTER
from accounts.services import create_user
from accounts.throttle import TOO_MANY_FAILURES

LOGIN = "/admin/login/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(db):
    return create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)


def log_in(client, email, password, address="198.51.100.1"):
    return client.post(
        f"{LOGIN}?next=/admin/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_right_password_signs_in(client, ops):
    assert signed_in(log_in(client, "ops@example.com", "ops-password-1"))


def test_the_login_page_still_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_guessing_from_one_address_is_refused_with_429_and_retry_after(client, ops, settings):
    settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "3/15m"
    for n in range(3):
        assert log_in(client, f"guess{n}@example.com", "x").status_code == 200
    refused = log_in(client, "ops@example.com", "ops-password-1")
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 15 * 60
    assert TOO_MANY_FAILURES.format(seconds=retry_after) in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert signed_in(log_in(client, "ops@example.com", "ops-password-1", "198.51.100.2"))


def test_guessing_one_account_from_many_addresses_is_refused(client, ops, settings):
    settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "2/15m"
    log_in(client, "ops@example.com", "wrong", "203.0.113.1")
    log_in(client, "ops@example.com", "wrong", "203.0.113.2")
    assert log_in(client, "OPS@example.com", "ops-password-1", "203.0.113.3").status_code == 429


def test_a_right_password_of_a_user_who_may_not_use_the_admin_counts_as_a_failure(
    client, alice, settings
):
    settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
    wrong = log_in(client, "alice@example.com", "wrong", "203.0.113.9")
    right = log_in(client, "alice@example.com", "alice-password-1", "203.0.113.8")
    assert wrong.status_code == right.status_code == 200
    assert wrong.context["form"].errors == right.context["form"].errors
    assert log_in(client, "x@example.com", "x", "203.0.113.8").status_code == 429


def test_a_client_over_the_limit_costs_no_password_hash(client, ops, settings, monkeypatch):
    settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
    log_in(client, "ops@example.com", "wrong")
    calls = []
    monkeypatch.setattr(MD5PasswordHasher, "verify", lambda *a: calls.append(a) or False)
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda *a: calls.append(a) or "x")
    assert log_in(client, "ops@example.com", "ops-password-1").status_code == 429
    assert log_in(client, "nobody@example.com", "x").status_code == 429
    assert calls == []


def test_a_successful_login_does_not_count(client, ops, settings):
    settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "1/15m"
    for _ in range(3):
        client.logout()
        assert signed_in(log_in(client, "ops@example.com", "ops-password-1"))


def test_a_lost_counter_refuses_logins_with_503(client, ops, settings, unreachable_cache):
    settings.RATELIMIT_FAIL_OPEN = False
    # Sessions live in the database, so only the counter is missing.
    response = log_in(client, "ops@example.com", "ops-password-1")
    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER)
    assert SIGN_IN_UNAVAILABLE in response.content.decode()

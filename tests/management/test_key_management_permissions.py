"""Operators grant (and take back) the right to issue and revoke keys over HTTP,
with `allow_key_management` or in the user admin; nothing else confers it."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.services import create_user
from tests.apikeys.staff import KEYS, basic

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops():
    return create_user(email="ops@example.com", password="ops-password-1", is_staff=True)


def issue(user_password="ops-password-1"):
    client = APIClient()
    return client.post(
        KEYS, {}, format="json", HTTP_AUTHORIZATION=basic("ops@example.com", user_password)
    )


def test_a_staff_user_issues_keys_only_once_allowed_and_not_after_removal(ops, capsys):
    assert issue().status_code == 401
    call_command("allow_key_management", "ops@example.com")
    assert "may now issue and revoke" in capsys.readouterr().out
    assert issue().status_code == 201
    call_command("allow_key_management", "ops@example.com", "--remove")
    ops.refresh_from_db()
    assert issue().status_code == 401


def test_revoke_only_does_not_allow_issuing(ops):
    call_command("allow_key_management", "ops@example.com", "--revoke-only")
    assert issue().status_code == 401
    refreshed = type(ops).objects.get(pk=ops.pk)
    assert refreshed.has_perm("apikeys.delete_apikey")
    assert not refreshed.has_perm("apikeys.add_apikey")


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody@example.com"], "No user with email"),
        (["ops@example.com", "--issue-only", "--revoke-only"], "exclude each other"),
    ],
)
def test_bad_input_is_a_clear_error(ops, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("allow_key_management", *args)


def test_a_non_staff_user_is_refused(db):
    create_user(email="alice@example.com", password="alice-password-1")
    with pytest.raises(CommandError, match="not staff"):
        call_command("allow_key_management", "alice@example.com")


class TestTheUserAdmin:
    @pytest.fixture
    def admin_client(self, client):
        admin = create_user(email="root@example.com", password="root-password-1", is_superuser=True)
        admin.is_staff = True
        admin.save()
        client.force_login(admin)
        return client

    def test_the_user_page_grants_key_permissions_and_lists_team_memberships(
        self, admin_client, ops, alpha
    ):
        page = admin_client.get(f"/admin/accounts/user/{ops.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="user_permissions"' in html
        assert "Can add API key" in html
        assert "team_memberships-TOTAL_FORMS" in html  # the teams app's inline

    def test_the_team_page_still_lists_its_members(self, admin_client, alpha, alice):
        page = admin_client.get(f"/admin/teams/team/{alpha.pk}/change/")
        assert page.status_code == 200
        assert "alice@example.com" in page.content.decode()

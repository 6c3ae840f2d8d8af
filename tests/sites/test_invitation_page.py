"""The page an invitation links to cannot be used to take over an account: it
never sets a password on an existing account, signs in through the sign-in
failure throttle, refuses staff accounts, and answers used, withdrawn and expired
links with a clear page."""

import html
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.services import create_user
from accounts.throttle import TOO_MANY_FAILURES
from sites import guest_services, web_views
from sites.exceptions import Conflict, Gone, NotPermitted
from sites.forms import WRONG_PASSWORD
from sites.models import GuestInvitation, GuestMembership
from teams.models import Role
from teams.services import add_member
from tests.sites.test_guests import GUESTS, invitation_link, invite

pytestmark = pytest.mark.django_db

NEW_PASSWORD = {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
NOTICE = "sites/invitation_notice.html"


@pytest.fixture(autouse=True)
def fresh_sign_in_counters(settings):
    """Failed sign-ins are counted in the shared cache (Redis on CI, where counts
    outlive a test): a key prefix of this test's own starts every count at zero."""
    default = settings.CACHES["default"]
    prefix = f"{default.get('KEY_PREFIX', '')}-invitation-test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}


@pytest.fixture
def dave(alpha):
    """A team member added by email only (`add_member` after `create_user` without a
    password): an account that has never had a password."""
    user = create_user(email="dave@example.com")
    add_member(team=alpha, user=user, role=Role.VIEWER)
    return user


def link_for(alice_api, email: str) -> str:
    mail.outbox.clear()
    assert invite(alice_api, email=email).status_code == 200
    return invitation_link()


def expire_invitations(hours: float = 49) -> None:
    GuestInvitation.objects.update(created_at=timezone.now() - timedelta(hours=hours))


def text(response) -> str:
    return html.unescape(response.content.decode())


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


class TestAnExistingAccountIsNeverTakenOver:
    def test_a_link_holder_cannot_set_the_password_of_an_account_without_one(
        self, alice_api, charlies_site, charlie, dave, client, issue_key, api
    ):
        # Charlie owns another site and invites Dave, whose account has no password.
        charlie_api = api.with_key(issue_key(charlie, scopes=["sites:provision:*"]))
        response = charlie_api.put(
            GUESTS, {"site_id": "charlie.test", "email": "dave@example.com", "role": "viewer"}
        )
        assert response.status_code == 200
        link = invitation_link()

        page = client.get(link)
        assert page.status_code == 200
        assert NOTICE in template_names(page)
        assert web_views.ACCOUNT_WITHOUT_PASSWORD.format(email="dave@example.com") in (text(page))
        assert 'type="password"' not in text(page)

        attempt = client.post(link, NEW_PASSWORD)
        assert attempt.status_code == 200 and NOTICE in template_names(attempt)
        dave.refresh_from_db()
        assert not dave.has_usable_password()
        assert not GuestMembership.objects.exists()
        assert GuestInvitation.objects.exists()
        assert "_auth_user_id" not in client.session

    def test_posting_new_passwords_to_an_existing_accounts_link_changes_nothing(
        self, alice_api, site, charlie, client
    ):
        link = link_for(alice_api, "charlie@example.com")
        response = client.post(link, NEW_PASSWORD)
        assert response.status_code == 200
        charlie.refresh_from_db()
        assert charlie.check_password("charlie-password-1")
        assert not charlie.check_password(NEW_PASSWORD["password1"])
        assert not GuestMembership.objects.exists()

    def test_an_account_created_after_the_page_was_shown_keeps_its_password(
        self, alice_api, site, client, monkeypatch
    ):
        link = link_for(alice_api, "new@example.com")
        assert 'name="password1"' in client.get(link).content.decode()
        real = web_views.accept_invitation_with_new_account

        def someone_signs_up_first(**kwargs):
            create_user(email="new@example.com", password="their-own-passphrase")
            return real(**kwargs)

        monkeypatch.setattr(web_views, "accept_invitation_with_new_account", someone_signs_up_first)
        response = client.post(link, NEW_PASSWORD)
        assert response.status_code == 409
        assert guest_services.ACCOUNT_APPEARED in text(response)
        user = User.objects.get(email="new@example.com")
        assert user.check_password("their-own-passphrase")
        assert not GuestMembership.objects.exists()
        assert "_auth_user_id" not in client.session

    def test_the_service_never_creates_over_an_existing_account(self, alice_api, site, charlie):
        link = link_for(alice_api, "charlie@example.com")
        token = link.rstrip("/").rsplit("/", 1)[1]
        with pytest.raises(Conflict):
            guest_services.accept_invitation_with_new_account(token=token, password="x-y-z-123456")
        charlie.refresh_from_db()
        assert charlie.check_password("charlie-password-1")
        assert not GuestMembership.objects.exists()

    def test_a_right_password_for_an_inactive_account_is_refused(
        self, alice_api, site, charlie, client
    ):
        link = link_for(alice_api, "charlie@example.com")
        User.objects.filter(pk=charlie.pk).update(is_active=False)
        response = client.post(link, {"password": "charlie-password-1"})
        assert response.status_code == 200 and WRONG_PASSWORD in text(response)
        assert not GuestMembership.objects.exists()


class TestSigningInOnThePageIsThrottled:
    def fail(self, client, link, times, **extra):
        for _ in range(times):
            response = client.post(link, {"password": "not-it"}, **extra)
            assert response.status_code == 200 and WRONG_PASSWORD in text(response)

    def test_over_the_address_limit_no_password_is_checked(
        self, alice_api, site, charlie, client, settings, monkeypatch
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "3/15m"
        link = link_for(alice_api, "charlie@example.com")
        self.fail(client, link, 3)
        checked = []
        real = User.check_password
        monkeypatch.setattr(
            User, "check_password", lambda user, raw: checked.append(raw) or real(user, raw)
        )
        response = client.post(link, {"password": "charlie-password-1"})
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
        assert TOO_MANY_FAILURES.split("{")[0] in text(response)
        assert checked == []
        assert not GuestMembership.objects.exists()
        assert "no-store" in response["Cache-Control"]

    def test_over_the_limit_the_right_and_a_wrong_password_get_the_same_answer(
        self, alice_api, site, charlie, client, settings
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "2/15m"
        link = link_for(alice_api, "charlie@example.com")
        self.fail(client, link, 2)
        right = client.post(link, {"password": "charlie-password-1"})
        wrong = client.post(link, {"password": "still-not-it"})
        assert right.status_code == wrong.status_code == 429
        assert right["Retry-After"] and wrong["Retry-After"]

        def without_csrf(response):
            return [line for line in text(response).splitlines() if "csrf" not in line]

        assert without_csrf(right) == without_csrf(wrong)

    def test_failures_count_per_account_across_addresses(
        self, alice_api, site, charlie, client, settings
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "2/15m"
        link = link_for(alice_api, "charlie@example.com")
        self.fail(client, link, 1, REMOTE_ADDR="203.0.113.1")
        self.fail(client, link, 1, REMOTE_ADDR="203.0.113.2")
        response = client.post(link, {"password": "charlie-password-1"}, REMOTE_ADDR="198.51.100.9")
        assert response.status_code == 429

    def test_failures_count_per_address_across_accounts(
        self, alice_api, site, charlie, client, settings
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ADDRESS = "2/15m"
        create_user(email="erin@example.com", password="erin-password-1")
        charlies_link = link_for(alice_api, "charlie@example.com")
        erins_link = link_for(alice_api, "erin@example.com")
        self.fail(client, charlies_link, 2, REMOTE_ADDR="203.0.113.7")
        response = client.post(
            erins_link, {"password": "erin-password-1"}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 429
        other = client.post(erins_link, {"password": "erin-password-1"}, REMOTE_ADDR="203.0.113.8")
        assert other.status_code == 200 and "Invitation accepted" in text(other)

    def test_a_right_password_for_an_inactive_account_counts_as_a_failure(
        self, alice_api, site, charlie, client, settings
    ):
        settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT = "1/15m"
        link = link_for(alice_api, "charlie@example.com")
        User.objects.filter(pk=charlie.pk).update(is_active=False)
        client.post(link, {"password": "charlie-password-1"})
        assert client.post(link, {"password": "charlie-password-1"}).status_code == 429

    def test_without_the_shared_cache_the_page_fails_closed_with_a_clear_503(
        self, alice_api, site, charlie, client, monkeypatch
    ):
        link = link_for(alice_api, "charlie@example.com")

        def unreachable(**counted):
            raise web_views.ThrottleUnavailable("cache down")

        monkeypatch.setattr(web_views, "sign_in_refusal", unreachable)
        response = client.post(link, {"password": "charlie-password-1"})
        assert response.status_code == 503 and response["Retry-After"]
        assert web_views.SIGN_IN_UNAVAILABLE in text(response)
        assert not GuestMembership.objects.exists()


class TestStaffAccountsCannotAccept:
    @pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
    def test_an_account_that_became_staff_after_the_invitation_cannot_accept(
        self, alice_api, site, charlie, client, flag
    ):
        link = link_for(alice_api, "charlie@example.com")
        User.objects.filter(pk=charlie.pk).update(**{flag: True})
        page = client.get(link)
        assert page.status_code == 403 and NOTICE in template_names(page)
        assert guest_services.STAFF_NOT_INVITABLE in text(page)
        response = client.post(link, {"password": "charlie-password-1"})
        assert response.status_code == 403
        assert not GuestMembership.objects.exists()

    def test_the_service_refuses_a_staff_account(self, alice_api, site, charlie):
        token = link_for(alice_api, "charlie@example.com").rstrip("/").rsplit("/", 1)[1]
        User.objects.filter(pk=charlie.pk).update(is_staff=True)
        charlie.refresh_from_db()
        with pytest.raises(NotPermitted):
            guest_services.accept_invitation(token=token, user=charlie)
        assert not GuestMembership.objects.exists()


class TestDeadLinksGetAClearPage:
    def test_an_expired_link_is_a_410_page_saying_to_ask_for_a_new_one(
        self, alice_api, site, charlie, client
    ):
        link = link_for(alice_api, "charlie@example.com")
        expire_invitations(hours=48.01)
        for response in (client.get(link), client.post(link, {"password": "charlie-password-1"})):
            assert response.status_code == 410
            assert NOTICE in template_names(response)
            assert guest_services.INVITATION_EXPIRED in text(response)
            assert "no-store" in response["Cache-Control"]
        assert not GuestMembership.objects.exists()

    def test_an_expired_link_cannot_create_an_account(self, alice_api, site, client):
        link = link_for(alice_api, "new@example.com")
        expire_invitations()
        assert client.post(link, NEW_PASSWORD).status_code == 410
        assert not User.objects.filter(email="new@example.com").exists()

    def test_the_service_refuses_an_expired_token(self, alice_api, site, charlie):
        token = link_for(alice_api, "charlie@example.com").rstrip("/").rsplit("/", 1)[1]
        expire_invitations()
        with pytest.raises(Gone):
            guest_services.accept_invitation(token=token, user=charlie)

    def test_the_lifetime_is_the_guest_invitation_ttl_setting(
        self, alice_api, site, client, settings
    ):
        link = link_for(alice_api, "new@example.com")
        expire_invitations(hours=2)
        assert client.get(link).status_code == 200
        settings.GUEST_INVITATION_TTL_HOURS = 1
        assert client.get(link).status_code == 410

    @pytest.mark.parametrize("how", ["used", "withdrawn", "unknown", "overlong"])
    def test_a_used_withdrawn_or_unknown_link_is_a_404_page(self, alice_api, site, client, how):
        link = link_for(alice_api, "new@example.com")
        if how == "used":
            client.post(link, NEW_PASSWORD)
        elif how == "withdrawn":
            alice_api.delete(f"{GUESTS}/new@example.com?site_id=alpha.test")
        elif how == "unknown":
            link = link.rsplit("/", 2)[0] + "/not-a-real-token/"
        else:
            link = link.rsplit("/", 2)[0] + "/" + "x" * 500 + "/"
        response = client.get(link)
        assert response.status_code == 404
        assert NOTICE in template_names(response)
        assert guest_services.INVITATION_NOT_FOUND in text(response)
        assert "no-store" in response["Cache-Control"]

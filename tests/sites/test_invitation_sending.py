"""Sending invitations: never to staff accounts, a fresh link once one expired, a
clear 503 instead of a silent console "send" when no mail server is configured,
and never a link in the logs."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import create_user
from config.mail import NotConfiguredEmailBackend
from sites import guest_services
from sites.models import GuestInvitation, GuestMembership
from tests.config.test_settings import production_env, run_python
from tests.sites.test_guests import invitation_link, invite

pytestmark = pytest.mark.django_db


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


class TestStaffAccountsAreNeverInvited:
    @pytest.mark.parametrize(
        "flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}]
    )
    def test_a_site_owner_cannot_invite_a_staff_account(self, alice_api, site, flags):
        create_user(email="admin@example.com", password="admin-password-1", **flags)
        response = invite(alice_api, email="Admin@Example.com")
        assert response.status_code == 400
        assert response.json() == {"error": guest_services.STAFF_NOT_INVITABLE}
        assert not GuestInvitation.objects.exists()
        assert mail.outbox == []

    def test_a_superuser_flag_alone_is_enough_to_refuse(self, alice_api, site):
        User.objects.create_user("root@example.com", "root-password-1", is_superuser=True)
        assert invite(alice_api, email="root@example.com").status_code == 400

    @pytest.mark.parametrize("mode", [[], ["--invite"]])
    def test_add_guest_refuses_a_staff_account(self, site, mode):
        create_user(email="admin@example.com", password="admin-password-1", is_staff=True)
        with pytest.raises(CommandError, match=guest_services.STAFF_NOT_INVITABLE):
            run("add_guest", "alpha.test", "admin@example.com", "--role", "viewer", *mode)
        assert not GuestMembership.objects.exists()
        assert not GuestInvitation.objects.exists()


class TestExpiredInvitationsAreReplaced:
    def test_inviting_again_after_expiry_sends_a_fresh_link(self, alice_api, site, client):
        invite(alice_api, email="new@example.com")
        old_link = invitation_link()
        GuestInvitation.objects.update(created_at=timezone.now() - timedelta(hours=49))
        response = invite(alice_api, email="new@example.com", role="editor")
        assert response.json() == {
            "status": "invited",
            "email": "new@example.com",
            "role": "editor",
        }
        assert len(mail.outbox) == 2
        new_link = invitation_link()
        assert new_link != old_link
        invitation = GuestInvitation.objects.get()
        assert invitation.token_hash == guest_services.hash_token(token_of(new_link))
        assert client.get(old_link).status_code == 404
        assert client.get(new_link).status_code == 200

    def test_a_live_invitation_is_still_returned_unchanged(self, alice_api, site):
        invite(alice_api, email="new@example.com")
        GuestInvitation.objects.update(created_at=timezone.now() - timedelta(hours=47))
        invite(alice_api, email="new@example.com", role="editor")
        assert len(mail.outbox) == 1
        assert GuestInvitation.objects.get().role == "viewer"

    def test_a_failed_resend_keeps_the_expired_invitation_listed(self, alice_api, site, settings):
        invite(alice_api, email="new@example.com")
        GuestInvitation.objects.update(created_at=timezone.now() - timedelta(hours=49))
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
        assert invite(alice_api, email="new@example.com").status_code == 503
        assert GuestInvitation.objects.count() == 1

    def test_prune_invitations_deletes_only_expired_ones(self, alice_api, site):
        invite(alice_api, email="old@example.com")
        GuestInvitation.objects.update(created_at=timezone.now() - timedelta(hours=49))
        invite(alice_api, email="new@example.com")
        assert run("prune_invitations") == "Pruned 1 expired invitation(s)."
        assert list(GuestInvitation.objects.values_list("email", flat=True)) == ["new@example.com"]


class TestInvitationsNeedAConfiguredMailServer:
    def test_without_a_mail_server_a_new_invitation_is_503_and_nothing_is_written(
        self, alice_api, site, settings
    ):
        settings.EMAIL_CONFIGURED = False
        response = invite(alice_api, email="new@example.com")
        assert response.status_code == 503
        assert response.json() == {"error": guest_services.EMAIL_NOT_CONFIGURED}
        assert "Retry-After" not in response
        assert not GuestInvitation.objects.exists()
        assert mail.outbox == []

    def test_existing_guests_and_invitations_need_no_mail(
        self, alice_api, site, settings, charlie, make_guest
    ):
        invite(alice_api, email="new@example.com")
        make_guest(site, charlie)
        settings.EMAIL_CONFIGURED = False
        assert invite(alice_api, email="new@example.com").json()["status"] == "invited"
        assert invite(alice_api, email="charlie@example.com").json()["status"] == "accepted"
        assert invite(alice_api, email="bob@example.com").json() == {
            "error": guest_services.ALREADY_A_MEMBER
        }

    def test_add_guest_invite_fails_clearly_without_a_mail_server(self, site, settings):
        settings.EMAIL_CONFIGURED = False
        with pytest.raises(CommandError, match="no outgoing mail configured"):
            run("add_guest", "alpha.test", "new@example.com", "--role", "viewer", "--invite")
        assert not GuestInvitation.objects.exists()

    def test_the_unconfigured_backend_refuses_instead_of_printing(self, settings):
        settings.EMAIL_BACKEND = "config.mail.NotConfiguredEmailBackend"
        with pytest.raises(ImproperlyConfigured):
            send_mail("s", "a secret link", "a@example.com", ["b@example.com"])
        assert NotConfiguredEmailBackend().send_messages([]) == 0


MAIL_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "configured": settings.EMAIL_CONFIGURED,
    "backend": settings.EMAIL_BACKEND,
    "ttl": settings.GUEST_INVITATION_TTL_HOURS,
}))
"""


def mail_settings(**env: str) -> dict:
    result = run_python(MAIL_PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class TestMailSettings:
    def test_production_without_a_mail_server_is_not_configured_and_never_prints_mail(self):
        assert mail_settings(**production_env()) == {
            "configured": False,
            "backend": "config.mail.NotConfiguredEmailBackend",
            "ttl": 48,
        }

    @pytest.mark.parametrize(
        ("env", "backend"),
        [
            ({"EMAIL_HOST": "smtp.example.com"}, "django.core.mail.backends.smtp.EmailBackend"),
            (
                {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
                "django.core.mail.backends.filebased.EmailBackend",
            ),
        ],
    )
    def test_an_explicit_mail_server_or_backend_is_configured(self, env, backend):
        probed = mail_settings(**production_env(**env))
        assert (probed["configured"], probed["backend"]) == (True, backend)

    def test_development_prints_mail_to_the_console(self):
        probed = mail_settings(DEBUG="true")
        assert probed["configured"] is True
        assert probed["backend"] == "django.core.mail.backends.console.EmailBackend"

    def test_the_invitation_lifetime_comes_from_the_environment(self):
        assert mail_settings(**production_env(GUEST_INVITATION_TTL_HOURS="6"))["ttl"] == 6

    @pytest.mark.parametrize("hours", ["0", "-3", "two"])
    def test_a_bad_invitation_lifetime_fails_loudly(self, hours):
        result = run_python(MAIL_PROBE, **production_env(GUEST_INVITATION_TTL_HOURS=hours))
        assert result.returncode != 0
        assert "GUEST_INVITATION_TTL_HOURS" in result.stderr


class TestLinksAreNeverLogged:
    def test_no_log_record_carries_an_invitation_token(
        self, alice_api, site, charlie, client, settings, caplog, monkeypatch
    ):
        tokens = []
        real = guest_services.secrets.token_urlsafe

        def remembered(nbytes):
            tokens.append(real(nbytes))
            return tokens[-1]

        monkeypatch.setattr(guest_services.secrets, "token_urlsafe", remembered)
        caplog.set_level(logging.DEBUG)

        invite(alice_api, email="charlie@example.com")
        link = invitation_link()
        client.get(link)
        client.post(link, {"password": "not-it"})
        client.post(link, {"password": "charlie-password-1"})
        client.get(link)  # used: 404, which Django logs with its path
        invite(alice_api, email="late@example.com")
        GuestInvitation.objects.filter(email="late@example.com").update(
            created_at=timezone.now() - timedelta(hours=49)
        )
        client.get(invitation_link())  # expired: 410
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
        assert invite(alice_api, email="down@example.com").status_code == 503
        run("add_guest", "alpha.test", "cli@example.com", "--role", "viewer")

        assert len(tokens) == 3
        assert any("Not Found" in record.getMessage() for record in caplog.records)
        assert any("Could not send" in record.getMessage() for record in caplog.records)
        for record in caplog.records:
            logged = record.getMessage() + (record.exc_text or "")
            for token in tokens:
                assert token not in logged, record.name
            assert "/invitations/" not in logged.replace("/invitations/[redacted]", "")

    def test_add_guest_invite_prints_no_link(self, site):
        output = run("add_guest", "alpha.test", "new@example.com", "--role", "viewer", "--invite")
        assert token_of(invitation_link()) not in output
        assert "/invitations/" not in output

    def test_a_csrf_failure_on_the_page_is_logged_without_the_token(self, alice_api, site, caplog):
        from django.test import Client

        invite(alice_api, email="new@example.com")
        link = invitation_link()
        strict = Client(enforce_csrf_checks=True)
        caplog.set_level(logging.DEBUG)
        assert strict.post(link, {"password1": "x", "password2": "x"}).status_code == 403
        assert any("Forbidden" in record.getMessage() for record in caplog.records)
        assert all(token_of(link) not in record.getMessage() for record in caplog.records)

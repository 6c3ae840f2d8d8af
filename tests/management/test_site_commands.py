"""`add_guest` and `prune_domain_changes`."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from sites.models import DomainClaim, GuestInvitation, GuestMembership, Site

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


class TestAddGuest:
    def test_it_adds_an_accepted_guest_creating_the_user(self, site):
        assert run("add_guest", "alpha.test", "New@Example.com", "--role", "editor") == (
            "new@example.com is a guest editor of alpha.test"
        )
        membership = GuestMembership.objects.get(site=site)
        assert (membership.user.email, membership.role) == ("new@example.com", "editor")

    def test_invite_makes_a_pending_invitation_and_emails_it(self, site):
        output = run("add_guest", "alpha.test", "new@example.com", "--role", "viewer", "--invite")
        assert output == "new@example.com is invited as viewer of alpha.test"
        assert GuestInvitation.objects.get(site=site).email == "new@example.com"
        assert len(mail.outbox) == 1

    def test_adding_replaces_a_pending_invitation(self, site):
        run("add_guest", "alpha.test", "new@example.com", "--role", "viewer", "--invite")
        run("add_guest", "alpha.test", "new@example.com", "--role", "viewer")
        assert not GuestInvitation.objects.exists()
        assert GuestMembership.objects.count() == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["missing.test", "x@example.com", "--role", "viewer"], "No site with domain"),
            (["alpha.test", "not-an-email", "--role", "viewer"], "valid email"),
            (["alpha.test", "bob@example.com", "--role", "viewer"], "member of the site's team"),
        ],
    )
    def test_bad_input(self, site, args, message):
        with pytest.raises(CommandError, match=message):
            run("add_guest", *args)

    def test_an_unknown_role_is_refused(self, site):
        with pytest.raises(CommandError):
            run("add_guest", "alpha.test", "x@example.com", "--role", "owner")


def test_prune_frees_only_expired_previous_domains(alice_api, site, alpha, make_site):
    other = make_site(alpha, "other.test")
    alice_api.put("/api/v1/sites/alpha.test", {"domain": "new.test"}, format="json")
    alice_api.put("/api/v1/sites/other.test", {"domain": "newer.test"}, format="json")
    Site.objects.filter(pk=site.pk).update(domain_changed_at=timezone.now() - timedelta(hours=73))
    assert run("prune_domain_changes") == "Pruned 1 previous domain(s)."
    site.refresh_from_db()
    other.refresh_from_db()
    assert site.domain_changed_from is None
    assert other.domain_changed_from == "other.test"
    assert not DomainClaim.objects.filter(domain="alpha.test").exists()
    assert DomainClaim.objects.filter(domain="other.test").exists()

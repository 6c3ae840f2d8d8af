"""GET/PUT /api/v1/sites/guests, DELETE …/guests/:email, and accepting an emailed
invitation (docs/plausible-compat.md#guests)."""

import re

import pytest
from django.core import mail

from accounts.models import User
from sites import guest_services
from sites.exceptions import MISSING_SITE_ID
from sites.models import GuestInvitation, GuestMembership
from teams.models import Feature, Membership, Role
from teams.services import add_member
from tests.site_fixtures import PROVISION

GUESTS = "/api/v1/sites/guests"
EMPTY_META = {"after": None, "before": None, "limit": 100}

pytestmark = pytest.mark.django_db


def invite(alice_api, email="test@example.com", role="viewer", site_id="alpha.test"):
    return alice_api.put(GUESTS, {"site_id": site_id, "email": email, "role": role}, format="json")


def invitation_link() -> str:
    return re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)


class TestInviting:
    def test_it_creates_an_invitation_and_emails_it(self, alice_api, site):
        response = invite(alice_api)
        assert response.status_code == 200
        assert response.json() == {
            "status": "invited",
            "email": "test@example.com",
            "role": "viewer",
        }
        assert len(mail.outbox) == 1
        assert "You've been invited to alpha.test" in mail.outbox[0].subject
        assert mail.outbox[0].to == ["test@example.com"]
        invitation = GuestInvitation.objects.get()
        token = invitation_link().rstrip("/").rsplit("/", 1)[1]
        assert invitation.token_hash == guest_services.hash_token(token)
        assert token not in invitation.token_hash

    def test_it_is_idempotent_and_ignores_the_new_role(self, alice_api, site):
        invite(alice_api)
        response = invite(alice_api, email="TEST@Example.com", role="editor")
        assert response.json() == {
            "status": "invited",
            "email": "test@example.com",
            "role": "viewer",
        }
        assert GuestInvitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_an_existing_guest_is_returned_unchanged(self, alice_api, site, charlie, make_guest):
        make_guest(site, charlie, role="viewer")
        response = invite(alice_api, email="charlie@example.com", role="editor")
        assert response.json() == {
            "status": "accepted",
            "email": "charlie@example.com",
            "role": "viewer",
        }
        assert mail.outbox == []

    def test_a_team_member_cannot_be_invited_as_a_guest(self, alice_api, site):
        response = invite(alice_api, email="bob@example.com")
        assert response.status_code == 400
        assert response.json() == {"error": guest_services.ALREADY_A_MEMBER}
        assert mail.outbox == []

    @pytest.mark.parametrize("role", ["owner", "admin", "", None, 5])
    def test_an_unknown_role_is_400(self, alice_api, site, role):
        response = invite(alice_api, role=role)
        assert response.status_code == 400
        assert guest_services.ROLE_REQUIRED in response.json()["error"]
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            (None, guest_services.EMAIL_REQUIRED),
            ("", guest_services.EMAIL_REQUIRED),
            (5, guest_services.EMAIL_REQUIRED),
            ("not-an-email", guest_services.EMAIL_INVALID),
            ("a" * 300 + "@example.com", guest_services.EMAIL_INVALID),
        ],
    )
    def test_a_bad_email_is_400(self, alice_api, site, email, message):
        assert invite(alice_api, email=email).json() == {"error": message}

    def test_the_role_is_checked_before_the_email_format(self, alice_api, site):
        response = invite(alice_api, email="not-an-email", role="owner")
        assert guest_services.ROLE_REQUIRED in response.json()["error"]

    def test_an_editor_may_not_invite(self, api, bob, alpha, site, issue_key):
        add_member(team=alpha, user=bob, role=Role.EDITOR)
        response = invite(api.with_key(issue_key(bob, scopes=PROVISION)))
        assert response.status_code == 404

    def test_a_guest_editor_may_not_invite(self, alice_api, alice, charlies_site, make_guest):
        make_guest(charlies_site, alice, role="editor")
        assert invite(alice_api, site_id="charlie.test").status_code == 404

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        key = issue_key(alice, team=beta, scopes=PROVISION)
        assert "Invalid API key" in invite(api.with_key(key)).json()["error"]

    def test_a_mail_failure_leaves_no_invitation(self, alice_api, site, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
        response = invite(alice_api)
        assert response.status_code == 503
        assert response.json() == {"error": guest_services.EMAIL_FAILED}
        assert not GuestInvitation.objects.exists()


class TestListing:
    def test_it_is_empty_without_guests(self, alice_api, site):
        assert alice_api.get(GUESTS, {"site_id": "alpha.test"}).json() == {
            "guests": [],
            "meta": EMPTY_META,
        }

    def test_accepted_guests_newest_first_then_invitations(
        self, alice_api, site, charlie, make_guest
    ):
        first = User.objects.create_user("guest1@example.com")
        second = User.objects.create_user("guest2@example.com")
        make_guest(site, first, role="editor")
        make_guest(site, second, role="viewer")
        invite(alice_api, email="third@example.com")
        assert alice_api.get(GUESTS, {"site_id": "alpha.test"}).json()["guests"] == [
            {"email": "guest2@example.com", "role": "viewer", "status": "accepted"},
            {"email": "guest1@example.com", "role": "editor", "status": "accepted"},
            {"email": "third@example.com", "role": "viewer", "status": "invited"},
        ]

    def test_it_pages_across_memberships_and_invitations(self, alice_api, site, make_guest):
        for number in (1, 2):
            make_guest(site, User.objects.create_user(f"guest{number}@example.com"))
        invite(alice_api, email="third@example.com")
        invite(alice_api, email="fourth@example.com")
        first = alice_api.get(GUESTS, {"site_id": "alpha.test", "limit": 2}).json()
        assert [g["email"] for g in first["guests"]] == ["guest2@example.com", "guest1@example.com"]
        assert first["meta"]["before"] is None and first["meta"]["after"]
        second = alice_api.get(
            GUESTS, {"site_id": "alpha.test", "limit": 2, "after": first["meta"]["after"]}
        ).json()
        assert [g["email"] for g in second["guests"]] == ["third@example.com", "fourth@example.com"]
        assert isinstance(second["meta"]["before"], str) and second["meta"]["after"] is None
        assert second["meta"]["limit"] == 2
        back = alice_api.get(
            GUESTS, {"site_id": "alpha.test", "limit": 3, "before": second["meta"]["before"]}
        ).json()
        assert [g["email"] for g in back["guests"]] == ["guest2@example.com", "guest1@example.com"]
        assert back["meta"]["before"] is None

    def test_team_members_are_not_listed(self, alice_api, site):
        assert alice_api.get(GUESTS, {"site_id": "alpha.test"}).json()["guests"] == []

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        scoped = api.with_key(issue_key(alice, team=beta))
        assert scoped.get(GUESTS, {"site_id": "alpha.test"}).status_code == 401

    def test_a_missing_site_id_is_400(self, alice_api, site):
        assert alice_api.get(GUESTS).json() == {"error": MISSING_SITE_ID}


class TestRemoving:
    def test_nothing_to_delete_is_fine(self, alice_api, site):
        response = alice_api.delete(f"{GUESTS}/nobody@example.com?site_id=alpha.test")
        assert response.status_code == 200 and response.json() == {"deleted": True}

    def test_it_deletes_an_invitation_case_insensitively(self, alice_api, site):
        invite(alice_api)
        alice_api.delete(f"{GUESTS}/Test@Example.COM?site_id=alpha.test")
        assert not GuestInvitation.objects.exists()

    def test_it_deletes_a_guest_membership_and_keeps_the_account(
        self, alice_api, site, charlie, make_guest
    ):
        make_guest(site, charlie)
        assert alice_api.delete(f"{GUESTS}/charlie@example.com?site_id=alpha.test").json() == {
            "deleted": True
        }
        assert not GuestMembership.objects.exists()
        assert User.objects.filter(email="charlie@example.com").exists()

    def test_it_is_idempotent(self, alice_api, site):
        invite(alice_api)
        for _ in range(2):
            assert alice_api.delete(f"{GUESTS}/test@example.com?site_id=alpha.test").json() == {
                "deleted": True
            }

    def test_it_never_removes_a_team_member(self, alice_api, alice, site):
        alice_api.delete(f"{GUESTS}/alice@example.com?site_id=alpha.test")
        assert Membership.objects.filter(user=alice, role=Role.OWNER).exists()

    def test_a_team_scoped_key_of_another_team_is_401(self, api, alice, site, beta, issue_key):
        key = issue_key(alice, team=beta, scopes=PROVISION)
        assert (
            api.with_key(key).delete(f"{GUESTS}/x@example.com?site_id=alpha.test").status_code
            == 401
        )

    def test_the_team_needs_sites_api(self, alice_api, site, entitle):
        entitle(site.team, Feature.STATS_API)
        assert alice_api.delete(f"{GUESTS}/x@example.com?site_id=alpha.test").status_code == 402


class TestAccepting:
    def test_a_new_person_sets_a_password_and_becomes_a_guest(self, alice_api, site, client):
        invite(alice_api, email="new@example.com", role="editor")
        link = invitation_link()
        page = client.get(link)
        assert page.status_code == 200 and "alpha.test" in page.content.decode()
        response = client.post(
            link, {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
        )
        assert response.status_code == 200
        user = User.objects.get(email="new@example.com")
        assert user.check_password("a-long-new-passphrase")
        assert GuestMembership.objects.get(site=site, user=user).role == "editor"
        assert not GuestInvitation.objects.exists()
        assert client.get(link).status_code == 404  # used up

    def test_an_existing_person_signs_in_to_accept(self, alice_api, site, charlie, client):
        invite(alice_api, email="charlie@example.com")
        link = invitation_link()
        wrong = client.post(link, {"password": "not-it"})
        assert wrong.status_code == 200 and "not right" in wrong.content.decode()
        assert not GuestMembership.objects.exists()
        client.post(link, {"password": "charlie-password-1"})
        assert GuestMembership.objects.get(site=site, user=charlie).role == "viewer"

    def test_mismatched_or_weak_passwords_are_refused(self, alice_api, site, client):
        invite(alice_api, email="new@example.com")
        link = invitation_link()
        client.post(
            link, {"password1": "a-long-new-passphrase", "password2": "different-passphrase"}
        )
        client.post(link, {"password1": "123", "password2": "123"})
        assert not User.objects.filter(email="new@example.com").exists()
        assert GuestInvitation.objects.exists()

    def test_an_unknown_token_is_404(self, client, site):
        assert client.get("/invitations/not-a-real-token/").status_code == 404

    def test_a_removed_invitation_cannot_be_accepted(self, alice_api, site, client):
        invite(alice_api)
        link = invitation_link()
        alice_api.delete(f"{GUESTS}/test@example.com?site_id=alpha.test")
        assert client.get(link).status_code == 404

    def test_the_accepted_guest_reaches_the_site_with_a_legacy_key(
        self, alice_api, site, client, api, issue_key
    ):
        invite(alice_api, email="new@example.com")
        link = invitation_link()
        client.post(
            link, {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
        )
        guest = User.objects.get(email="new@example.com")
        response = api.with_key(issue_key(guest)).get("/api/v1/sites/alpha.test")
        assert response.status_code == 200

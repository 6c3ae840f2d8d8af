"""The operator commands: every one on success and on bad input."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from apikeys import keys
from apikeys.models import ApiKey
from teams.models import Feature, Membership, Role, Team

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


class TestCreateUser:
    def test_it_creates_a_user_who_can_sign_in(self):
        assert run("create_user", "Ops@Example.com", "--password", "a-long-passphrase") == (
            "ops@example.com"
        )
        user = User.objects.get(email="ops@example.com")
        assert user.check_password("a-long-passphrase")
        assert not user.is_staff

    def test_staff_and_superuser_flags(self):
        run("create_user", "root@example.com", "--superuser")
        user = User.objects.get(email="root@example.com")
        assert user.is_staff and user.is_superuser
        assert not user.has_usable_password()

    @pytest.mark.parametrize(
        "args, message",
        [
            (["not-an-email"], "valid email"),
            (["x@example.com", "--password", "123"], "too short"),
        ],
    )
    def test_bad_input(self, args, message):
        with pytest.raises(CommandError, match=message):
            run("create_user", *args)

    def test_a_duplicate_is_refused(self, alice):
        with pytest.raises(CommandError, match="already exists"):
            run("create_user", "ALICE@example.com")


class TestCreateTeam:
    def test_it_prints_only_the_identifier(self, alice):
        identifier = run("create_team", "Acme", "--owner", "alice@example.com")
        team = Team.objects.get(identifier=identifier)
        assert team.name == "Acme"
        assert Membership.objects.get(team=team).role == Role.OWNER
        assert team.features == [feature.value for feature in Feature]

    def test_an_unknown_owner_is_refused(self, db):
        with pytest.raises(CommandError, match="No user with email"):
            run("create_team", "Acme", "--owner", "ghost@example.com")
        assert Team.objects.count() == 0

    def test_a_blank_name_is_refused(self, alice):
        with pytest.raises(CommandError, match="blank"):
            run("create_team", "  ", "--owner", "alice@example.com")


class TestAddMember:
    def test_it_creates_a_missing_user(self, alpha):
        run("add_member", str(alpha.identifier), "New@Example.com", "--role", "editor")
        membership = Membership.objects.get(team=alpha, user__email="new@example.com")
        assert membership.role == Role.EDITOR

    def test_it_changes_an_existing_role(self, alpha, bob):
        run("add_member", str(alpha.identifier), "bob@example.com", "--role", "admin")
        assert Membership.objects.get(team=alpha, user=bob).role == Role.ADMIN

    def test_the_last_owner_cannot_be_demoted(self, alpha):
        with pytest.raises(CommandError, match="only owner"):
            run("add_member", str(alpha.identifier), "alice@example.com", "--role", "viewer")

    @pytest.mark.parametrize("team_id", ["nope", "00000000-0000-0000-0000-000000000000"])
    def test_an_unknown_team_is_refused(self, db, team_id):
        with pytest.raises(CommandError, match="No team"):
            run("add_member", team_id, "x@example.com", "--role", "viewer")

    def test_an_unknown_role_is_refused(self, alpha):
        with pytest.raises(CommandError, match="invalid choice"):
            run("add_member", str(alpha.identifier), "x@example.com", "--role", "guest")


class TestCreateApiKey:
    def test_it_prints_a_team_key_alone(self, alice, alpha):
        raw = run(
            "create_api_key",
            "alice@example.com",
            "--team",
            str(alpha.identifier),
            "--scope",
            "sites:provision:*",
            "--scope",
            "stats:read:*",
            "--name",
            "panel",
            "--ip",
            "10.0.0.0/8",
            "--ip",
            "2001:db8::/32",
        )
        assert keys.is_well_formed(raw)
        key = ApiKey.objects.get(key_hash=keys.hash_key(raw))
        assert (key.team, key.name) == (alpha, "panel")
        assert key.scopes == ["sites:provision:*", "stats:read:*"]
        assert key.allowed_networks == ["10.0.0.0/8", "2001:db8::/32"]

    def test_without_a_team_it_makes_a_legacy_key_with_default_scopes(self, alice):
        raw = run("create_api_key", "alice@example.com")
        key = ApiKey.objects.get(key_hash=keys.hash_key(raw))
        assert key.team is None
        assert key.scopes == ["stats:read:*"]

    @pytest.mark.parametrize(
        "args, message",
        [
            (["ghost@example.com"], "No user"),
            (["alice@example.com", "--team", "nope"], "No team"),
            (["alice@example.com", "--scope", "BAD SCOPE"], "Invalid scope"),
            (["alice@example.com", "--ip", "10.0.0.0/33"], "not an IP address"),
            (["alice@example.com", "--name", ""], "needs a name"),
            (["alice@example.com", "--expires-in-days", "0"], "at least 1"),
        ],
    )
    def test_bad_input(self, alice, args, message):
        with pytest.raises(CommandError, match=message):
            run("create_api_key", *args)
        assert ApiKey.objects.count() == 0

    def test_a_team_the_user_is_not_in_is_refused(self, alice, charlies_team):
        with pytest.raises(CommandError, match="not a member"):
            run("create_api_key", "alice@example.com", "--team", str(charlies_team.identifier))

    def test_a_key_from_the_command_line_has_no_issuer_unless_named(self, alice, bob):
        anonymous = run("create_api_key", "alice@example.com")
        named = run("create_api_key", "alice@example.com", "--issued-by", "BOB@example.com")
        assert ApiKey.objects.get(key_hash=keys.hash_key(anonymous)).created_by is None
        assert ApiKey.objects.get(key_hash=keys.hash_key(named)).created_by == bob

    def test_an_unknown_issuer_is_refused(self, alice):
        with pytest.raises(CommandError, match="No user"):
            run("create_api_key", "alice@example.com", "--issued-by", "ghost@example.com")
        assert ApiKey.objects.count() == 0


class TestRevokeApiKey:
    def test_it_revokes_by_prefix(self, alice, issue_key):
        raw = issue_key(alice)
        assert "Revoked" in run("revoke_api_key", raw[:6])
        assert ApiKey.objects.get(key_prefix=raw[:6]).revoked_at is not None
        assert "already revoked" in run("revoke_api_key", raw[:6])

    @pytest.mark.parametrize("prefix, message", [("abc", "exactly 6"), ("zzzzzz", "No API key")])
    def test_bad_prefixes(self, db, prefix, message):
        with pytest.raises(CommandError, match=message):
            run("revoke_api_key", prefix)

    def test_an_ambiguous_prefix_is_refused(self, alice, issue_key):
        raw = issue_key(alice)
        other = ApiKey.objects.get(key_prefix=raw[:6])
        other.pk = None
        other.key_hash = "0" * 64
        other.save()
        with pytest.raises(CommandError, match="2 active keys share"):
            run("revoke_api_key", raw[:6])
        assert ApiKey.objects.filter(revoked_at__isnull=False).count() == 0


class TestSetTeamEntitlements:
    def test_features_are_set_exactly(self, alpha):
        run("set_team_entitlements", str(alpha.identifier), "--features", "props,stats_api")
        alpha.refresh_from_db()
        assert alpha.features == ["stats_api", "props"]

    def test_all_the_knobs(self, alpha):
        output = run(
            "set_team_entitlements",
            str(alpha.identifier),
            "--features",
            "",
            "--hourly-limit",
            "50",
            "--burst-limit",
            "5",
            "--burst-period",
            "10",
            "--site-limit",
            "3",
            "--lock",
        )
        alpha.refresh_from_db()
        assert alpha.features == []
        assert (alpha.hourly_api_request_limit, alpha.burst_request_limit) == (50, 5)
        assert (alpha.burst_period_seconds, alpha.site_limit, alpha.locked) == (10, 3, True)
        assert "locked=yes" in output
        run(
            "set_team_entitlements",
            str(alpha.identifier),
            "--all-features",
            "--site-limit",
            "none",
            "--unlock",
        )
        alpha.refresh_from_db()
        assert alpha.features == [feature.value for feature in Feature]
        assert (alpha.site_limit, alpha.locked) == (None, False)

    @pytest.mark.parametrize(
        "args, message",
        [
            (["--features", "stats_api,teleport"], "Unknown feature"),
            (["--hourly-limit", "lots"], "not a whole number"),
            (["--burst-limit", "-1"], "zero or more"),
            (["--burst-period", "0"], "at least 1"),
            (["--site-limit", "many"], "not a whole number"),
        ],
    )
    def test_bad_input_changes_nothing(self, alpha, args, message):
        with pytest.raises(CommandError, match=message):
            run("set_team_entitlements", str(alpha.identifier), *args)
        alpha.refresh_from_db()
        assert alpha.features == [feature.value for feature in Feature]
        assert alpha.burst_period_seconds == 60

    def test_lock_and_unlock_together_are_refused(self, alpha):
        with pytest.raises(CommandError, match="not allowed with"):
            run("set_team_entitlements", str(alpha.identifier), "--lock", "--unlock")


def test_a_real_invocation_prints_errors_on_stderr_and_exits_non_zero():
    """call_command raises CommandError; the real CLI turns it into stderr + exit 1."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "revoke_api_key", "abc"],
        cwd=root,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "exactly 6 characters" in result.stderr

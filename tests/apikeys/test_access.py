"""The reach matrix (docs/plausible-compat.md#reach) and the verification order, exercised
through the pieces every endpoint goes through: the scope permission and
`sites.reach`."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework import exceptions

from api.errors import ServiceError
from apikeys.exceptions import INVALID_API_KEY
from apikeys.models import ApiKey
from apikeys.permissions import HasScope
from apikeys.scopes import PROVISION_SCOPE, READ_SCOPE, feature_for_scope
from apikeys.selectors import principal_for_key, principal_for_raw_key
from sites import reach
from sites.models import GuestMembership, GuestRole
from sites.selectors import SiteLookup
from teams.exceptions import FEATURE_MISSING, INVALID_TEAM_ID, TEAM_LOCKED, TEAM_NOT_FOUND
from teams.models import Feature, Membership, Role
from teams.services import create_team, set_team_entitlements

pytestmark = pytest.mark.django_db


# The raw key of each principal `key_for` made, for the second way of fetching.
RAW_KEYS: dict[int, str] = {}


@pytest.fixture
def key_for(issue_key):
    def make(user, team=None, scopes=("sites:provision:*",)):
        raw_key = issue_key(user, team=team, scopes=list(scopes))
        principal = principal_for_raw_key(raw_key)
        RAW_KEYS[principal.key_id] = raw_key
        return principal

    return make


def authorize(*, principal, required_scope, site_id=None, site_key=None, team_id=None):
    """Steps 5 and 6 of the check order, with the pipeline's own pieces: the scope
    permission, then reach (the rate limit, step 4, is tested over HTTP)."""
    request = SimpleNamespace(auth=principal)
    view = SimpleNamespace(get_required_scope=lambda: required_scope)
    HasScope().has_permission(request, view)
    lookup = SiteLookup.for_request(site_id=site_id, site_key=site_key)
    return reach.verify(
        principal,
        site=reach.named_site(principal, lookup),
        team_id=team_id,
        feature=feature_for_scope(required_scope),
        named_as=site_id,
    )


@pytest.fixture(autouse=True, params=["site looked up alone", "site fetched with the key"])
def site_fetch(request, monkeypatch):
    """Every test here runs twice: once with the site looked up by reach itself,
    once with it fetched in the key's query, as views do (one statement for
    both). The two paths must reach the same decisions."""
    if request.param == "site fetched with the key":
        looked_up_alone = authorize

        def authorize_with_site_fetched_with_key(*, principal, site_id=None, site_key=None, **kw):
            lookup = SiteLookup.for_request(site_id=site_id, site_key=site_key)
            refetched = principal_for_raw_key(RAW_KEYS[principal.key_id], joined=lookup)
            if lookup is not None and lookup.possible:
                assert refetched.fetched_with_key(lookup) is not None
            return looked_up_alone(principal=refetched, site_id=site_id, site_key=site_key, **kw)

        monkeypatch.setitem(globals(), "authorize", authorize_with_site_fetched_with_key)
    return request.param


def refused(status: int, message: str):
    class Matcher:
        def __init__(self):
            # DRF's refusals, and the domain errors of entitlements (teams).
            self.ctx = pytest.raises((exceptions.APIException, ServiceError))

        def __enter__(self):
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert self.info.value.status_code == status
            error = self.info.value
            assert str(getattr(error, "detail", None) or error.message) == message
            return handled

    return Matcher()


def invalid_key():
    return refused(401, INVALID_API_KEY)


class TestLegacyKeyReach:
    def test_it_reaches_its_own_teams_site(self, alice, alpha, make_site, key_for):
        site = make_site(alpha, "alpha.test")
        access = authorize(
            principal=key_for(alice), required_scope=PROVISION_SCOPE, site_id="alpha.test"
        )
        assert access.site == site
        assert access.site_role == Role.OWNER

    def test_it_reaches_a_site_of_another_team_of_its_user(self, bob, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        access = authorize(principal=key_for(bob), required_scope=READ_SCOPE, site_id="alpha.test")
        assert access.site_role == Role.VIEWER

    def test_it_reaches_a_guest_site_with_the_guest_role(self, charlie, alpha, make_site, key_for):
        site = make_site(alpha, "alpha.test")
        GuestMembership.objects.create(site=site, user=charlie, role=GuestRole.EDITOR)
        access = authorize(
            principal=key_for(charlie), required_scope=READ_SCOPE, site_id="alpha.test"
        )
        assert access.site_role == GuestRole.EDITOR

    def test_it_is_refused_on_a_non_member_site(self, charlie, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        with invalid_key():
            authorize(principal=key_for(charlie), required_scope=READ_SCOPE, site_id="alpha.test")

    def test_guest_and_non_member_access_is_logged(
        self, charlie, alpha, make_site, key_for, caplog
    ):
        site = make_site(alpha, "alpha.test")
        make_site(alpha, "other.test")
        GuestMembership.objects.create(site=site, user=charlie, role=GuestRole.VIEWER)
        key = key_for(charlie)
        authorize(principal=key, required_scope=READ_SCOPE, site_id="alpha.test")
        with invalid_key():
            authorize(principal=key, required_scope=READ_SCOPE, site_id="other.test")
        messages = [record.getMessage() for record in caplog.records]
        assert f"API key {key.key_id} user accessing alpha.test as a guest" in messages
        assert f"API key {key.key_id} user trying to access other.test as a non-member" in messages

    def test_membership_is_checked_before_the_feature(self, charlie, alpha, make_site, key_for):
        """Reversed from Plausible, whose 402 here told a stranger the team's plan."""
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, features=[Feature.STATS_API])
        with invalid_key():
            authorize(
                principal=key_for(charlie), required_scope=PROVISION_SCOPE, site_id="alpha.test"
            )

    def test_a_member_still_learns_the_feature_is_missing(self, bob, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, features=[Feature.STATS_API])
        expected = FEATURE_MISSING.format(feature="Sites API")
        with refused(402, expected):
            authorize(principal=key_for(bob), required_scope=PROVISION_SCOPE, site_id="alpha.test")

    def test_an_unknown_site_is_left_to_the_endpoint(self, alice, key_for):
        access = authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="nope.test")
        assert access.site is None


class TestTeamKeyReach:
    def test_it_reaches_its_teams_site(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        access = authorize(
            principal=key_for(alice, team=alpha),
            required_scope=PROVISION_SCOPE,
            site_id="alpha.test",
        )
        assert access.team == alpha

    def test_it_is_refused_on_another_team_of_the_same_user(self, alice, alpha, make_site, key_for):
        other = create_team(name="Other", owner=alice)
        make_site(other, "other.test")
        with invalid_key():
            authorize(
                principal=key_for(alice, team=alpha),
                required_scope=READ_SCOPE,
                site_id="other.test",
            )

    def test_it_is_refused_on_a_guest_site(self, alice, charlie, charlies_team, make_site, key_for):
        alphas = create_team(name="Alice's", owner=alice)
        site = make_site(charlies_team, "charlie.test")
        GuestMembership.objects.create(site=site, user=alice, role=GuestRole.EDITOR)
        with invalid_key():
            authorize(
                principal=key_for(alice, team=alphas),
                required_scope=READ_SCOPE,
                site_id="charlie.test",
            )

    def test_a_team_mismatch_beats_a_missing_feature(
        self, alice, alpha, charlies_team, make_site, key_for
    ):
        make_site(charlies_team, "charlie.test")
        set_team_entitlements(team=charlies_team, features=[])
        with invalid_key():
            authorize(
                principal=key_for(alice, team=alpha),
                required_scope=PROVISION_SCOPE,
                site_id="charlie.test",
            )

    def test_a_removed_member_is_refused(self, bob, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        principal = key_for(bob, team=alpha)
        Membership.objects.filter(team=alpha, user=bob).delete()
        reloaded = ApiKey.objects.select_related("user", "team").get(pk=principal.key_id)
        principal = principal_for_key(reloaded)
        with invalid_key():
            authorize(principal=principal, required_scope=READ_SCOPE, site_id="alpha.test")


class TestEntitlements:
    def test_a_locked_team_is_402(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, locked=True)
        with refused(402, TEAM_LOCKED):
            authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="alpha.test")

    def test_read_routes_need_stats_api(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, features=[Feature.SITES_API])
        with refused(402, FEATURE_MISSING.format(feature="Stats API")):
            authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="alpha.test")

    def test_provision_routes_need_sites_api(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, features=[Feature.STATS_API])
        authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="alpha.test")
        with refused(402, FEATURE_MISSING.format(feature="Sites API")):
            authorize(
                principal=key_for(alice), required_scope=PROVISION_SCOPE, site_id="alpha.test"
            )

    def test_the_message_has_no_trailing_period(self):
        message = FEATURE_MISSING.format(feature="Sites API")
        assert message.endswith("the subscription plan includes Sites API")

    def test_a_team_scoped_keys_own_team_is_verified_without_a_site(self, alice, alpha, key_for):
        set_team_entitlements(team=alpha, locked=True)
        with refused(402, TEAM_LOCKED):
            authorize(principal=key_for(alice, team=alpha), required_scope=READ_SCOPE)


class TestScopes:
    def test_a_missing_scope_is_the_invalid_key_401(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        with invalid_key():
            authorize(
                principal=key_for(alice, scopes=["stats:read:*"]),
                required_scope=PROVISION_SCOPE,
                site_id="alpha.test",
            )

    def test_a_wildcard_scope_grants_provisioning(self, alice, alpha, make_site, key_for):
        make_site(alpha, "alpha.test")
        authorize(
            principal=key_for(alice, scopes=["sites:*"]),
            required_scope=PROVISION_SCOPE,
            site_id="alpha.test",
        )

    def test_the_scope_check_comes_before_site_verification(
        self, charlie, alpha, make_site, key_for
    ):
        make_site(alpha, "alpha.test")
        set_team_entitlements(team=alpha, locked=True)
        with invalid_key():
            authorize(
                principal=key_for(charlie, scopes=["stats:read:*"]),
                required_scope=PROVISION_SCOPE,
                site_id="alpha.test",
            )


class TestTeamIdParameter:
    def test_a_legacy_key_naming_a_team_is_verified_against_it(self, alice, charlies_team, key_for):
        with invalid_key():
            authorize(
                principal=key_for(alice),
                required_scope=READ_SCOPE,
                team_id=str(charlies_team.identifier),
            )

    @pytest.mark.parametrize("team_id", ["not-a-uuid", "\x00", " ", 42, ["x"], {"a": "b"}])
    def test_a_malformed_team_id_is_a_400_not_ignored(self, alice, key_for, team_id):
        with refused(400, INVALID_TEAM_ID):
            authorize(principal=key_for(alice), required_scope=READ_SCOPE, team_id=team_id)

    def test_an_unknown_team_id_is_a_404_not_ignored(self, alice, key_for):
        with refused(404, TEAM_NOT_FOUND):
            authorize(
                principal=key_for(alice),
                required_scope=READ_SCOPE,
                team_id="00000000-0000-0000-0000-000000000000",
            )

    @pytest.mark.parametrize("team_id", [None, ""])
    def test_an_absent_team_id_names_no_team(self, alice, key_for, team_id):
        access = authorize(principal=key_for(alice), required_scope=READ_SCOPE, team_id=team_id)
        assert access.requested_team is None

    def test_the_team_id_check_comes_after_the_scope_check(self, alice, key_for):
        with invalid_key():
            authorize(
                principal=key_for(alice, scopes=["stats:read:*"]),
                required_scope=PROVISION_SCOPE,
                team_id="not-a-uuid",
            )

    def test_a_team_scoped_key_ignores_even_a_malformed_team_id(self, alice, alpha, key_for):
        access = authorize(
            principal=key_for(alice, team=alpha), required_scope=READ_SCOPE, team_id="not-a-uuid"
        )
        assert access.requested_team == alpha

    def test_a_team_scoped_key_ignores_team_id(self, alice, alpha, charlies_team, key_for):
        access = authorize(
            principal=key_for(alice, team=alpha),
            required_scope=READ_SCOPE,
            team_id=str(charlies_team.identifier),
        )
        assert access.requested_team == alpha


class TestOldDomain:
    def test_the_previous_domain_resolves_for_72_hours(self, alice, alpha, make_site, key_for):
        site = make_site(alpha, "new.test")
        site.domain_changed_from = "old.test"
        site.domain_changed_at = timezone.now() - timedelta(hours=71)
        site.save()
        access = authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="old.test")
        assert access.site == site
        site.domain_changed_at = timezone.now() - timedelta(hours=73)
        site.save()
        access = authorize(principal=key_for(alice), required_scope=READ_SCOPE, site_id="old.test")
        assert access.site is None

"""The hand-written SQL (api/sql.py) cannot drift from the models: each instance
it builds equals the ORM's, field by field, for every model it reads; and every
identifier in every statement is a table or a column of those models (or an
alias), so a renamed column fails here, not in production."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api import sql
from apikeys.models import ApiKey
from apikeys.selectors import _KEYS, _TEAMS, _USERS, principal_for_raw_key
from sites.models import GuestMembership, Site, TrackerScriptConfiguration
from sites.selectors import (
    SiteLookup,
    site_columns_sql,
    site_for_lookup,
    site_in_team_columns_sql,
    site_in_team_for_lookup,
    site_joins_sql,
)
from teams.models import Membership, Team
from teams.services import set_team_entitlements

pytestmark = pytest.mark.django_db

MODELS_READ = (ApiKey, Team, Site, TrackerScriptConfiguration, Membership, GuestMembership)


def assert_same_fields(built, loaded):
    assert type(built) is type(loaded)
    assert built is not loaded
    for field in type(loaded)._meta.concrete_fields:
        built_value, loaded_value = getattr(built, field.attname), getattr(loaded, field.attname)
        assert built_value == loaded_value, field.attname
        assert type(built_value) is type(loaded_value), field.attname


@pytest.fixture
def unusual_key(alice, alpha, issue_key):
    """A key whose every column holds something other than its default."""
    raw_key = issue_key(alice, team=alpha, scopes=["sites:provision:*", "stats:read:*"])
    ApiKey.objects.filter(key_prefix=raw_key[:6]).update(
        allowed_networks=["10.0.0.0/8", "::1/128"],
        expires_at=timezone.now() + timedelta(days=3),
        last_used_at=timezone.now() - timedelta(hours=1),
    )
    set_team_entitlements(
        team=alpha, features=["sites_api", "stats_api"], hourly_api_request_limit=1234
    )
    return raw_key


class TestTheKeyLookup:
    def test_the_key_user_and_team_are_the_orms(self, unusual_key):
        principal = principal_for_raw_key(unusual_key)
        key = ApiKey.objects.get(pk=principal.key_id)
        assert_same_fields(principal.api_key, key)
        assert_same_fields(principal.user, type(key.user).objects.get(pk=key.user_id))
        assert_same_fields(principal.team, Team.objects.get(pk=key.team_id))
        assert principal.role_in_team == Membership.objects.get(team=key.team, user=key.user).role


class TestTheSiteLookup:
    @pytest.fixture
    def named_site(self, alpha, make_site):
        site = make_site(alpha, "alpha.test", tracker_configuration={"outbound_links": True})
        Site.objects.filter(pk=site.pk).update(
            domain_changed_from="old-alpha.test",
            domain_changed_at=timezone.now(),
            allowed_event_props=["author", "plan"],
        )
        return Site.objects.get(pk=site.pk)

    def test_the_site_its_team_and_tracker_are_the_orms(self, alice, named_site):
        built = site_for_lookup(user=alice, lookup=SiteLookup.for_request(site_id="alpha.test"))
        assert_same_fields(built, named_site)
        assert_same_fields(built.team, Team.objects.get(pk=named_site.team_id))
        assert_same_fields(
            built.tracker_script_configuration,
            TrackerScriptConfiguration.objects.get(site=named_site),
        )
        assert built.team_role == "owner"

    def test_a_team_keys_lighter_read_is_the_same_site(self, alice, alpha, named_site):
        """For a team key the site's team and role are the principal's: the rest
        is read, and equals the ORM's."""
        lookup = SiteLookup.for_request(site_id="alpha.test")
        built = site_in_team_for_lookup(user=alice, team=alpha, role_in_team="owner", lookup=lookup)
        assert_same_fields(built, named_site)
        assert built.team is alpha
        assert_same_fields(
            built.tracker_script_configuration,
            TrackerScriptConfiguration.objects.get(site=named_site),
        )
        assert (built.team_role, built.guest_role) == ("owner", None)

    def test_a_site_of_another_team_is_read_whole(self, alice, charlie, named_site, charlies_team):
        lookup = SiteLookup.for_request(site_id="alpha.test")
        built = site_in_team_for_lookup(
            user=charlie, team=charlies_team, role_in_team="owner", lookup=lookup
        )
        assert_same_fields(built.team, Team.objects.get(pk=named_site.team_id))
        assert built.team_role is None

    def test_the_same_site_comes_with_the_key(self, alice, unusual_key, named_site):
        lookup = SiteLookup.for_request(site_key=named_site.site_key)
        principal = principal_for_raw_key(unusual_key, joined=lookup)
        assert_same_fields(principal.fetched_with_key(lookup).value, named_site)


IDENTIFIER = re.compile(r'"([^"]+)"')


def statements() -> list[str]:
    joined = SiteLookup("domain", "alpha.test")
    extra = (site_columns_sql(_KEYS.col("user")), site_joins_sql("domain"))
    return [
        sql.key_lookup_sql(_KEYS, _USERS, _TEAMS, Membership),
        sql.key_lookup_sql(_KEYS, _USERS, _TEAMS, Membership, *extra),
        sql.site_alone_sql(site_columns_sql("%s"), site_joins_sql(joined.by)),
        sql.site_alone_sql(site_columns_sql("%s"), site_joins_sql("key")),
        sql.site_alone_sql(
            site_in_team_columns_sql("%s"), site_joins_sql("domain", with_team=False)
        ),
    ]


def test_every_identifier_comes_from_the_models():
    if connection.ops.quote_name("x") != '"x"':
        pytest.skip("identifiers are quoted differently here")
    models = (*MODELS_READ, _USERS.model)
    known = {model._meta.db_table for model in models}
    known |= {field.column for model in models for field in model._meta.concrete_fields}
    aliases = {"k", "u", "t", "s", "st", "c", "n", "m", "g"}
    for statement in statements():
        unknown = set(IDENTIFIER.findall(statement)) - known - aliases
        assert not unknown, statement


def test_a_drifted_column_would_be_caught():
    """Guards the guard: the identifier check sees the columns it checks."""
    found = set().union(*(IDENTIFIER.findall(statement) for statement in statements()))
    assert {"key_hash", "domain_changed_from", "role", Site._meta.db_table} <= found

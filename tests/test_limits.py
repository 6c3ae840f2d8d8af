"""Every length limit is one constant: the column, the service's check and the
request shape in the OpenAPI description all use it, so none can drift from the
others. A column whose limit changes without its constant (or a schema field
that goes back to a literal of another value) fails here."""

import pytest
from django.apps import apps
from django.db import models

from accounts.models import EMAIL_MAX_LENGTH, USER_NAME_MAX_LENGTH, User
from apikeys.keys import PREFIX_LENGTH
from apikeys.models import API_KEY_NAME_MAX_LENGTH, KEY_HASH_LENGTH, ApiKey
from apikeys.serializers import StaffKeyRequestSerializer
from sharedlinks.models import SHARED_LINK_NAME_MAX_LENGTH, SHARED_LINK_SLUG_LENGTH, SharedLink
from sharedlinks.openapi import SharedLinkRequest
from sites.goal_services import MAX_PROPS
from sites.models import (
    CURRENCY_LENGTH,
    CUSTOM_PROPERTY_MAX_LENGTH,
    DIGEST_LENGTH,
    DOMAIN_MAX_LENGTH,
    GOAL_EVENT_NAME_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    INSTALLATION_TYPE_MAX_LENGTH,
    SITE_KEY_MAX_LENGTH,
    SITE_NAME_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
    TRACKER_ID_MAX_LENGTH,
    DomainClaim,
    Goal,
    GuestInvitation,
    GuestMembership,
    Site,
    TrackerScriptConfiguration,
)
from sites.openapi import (
    CustomPropertyRequest,
    GoalRequest,
    SiteCreateRequest,
    SiteUpdateRequest,
)
from sites.resource.serializers import ResourceSiteCreateRequest, ResourceSiteUpdateRequest
from teams.models import ROLE_MAX_LENGTH, TEAM_NAME_MAX_LENGTH, Membership, Team

APPS = ("accounts", "teams", "apikeys", "sites", "sharedlinks")

COLUMNS = [
    (User, "email", EMAIL_MAX_LENGTH),
    (User, "name", USER_NAME_MAX_LENGTH),
    (Team, "name", TEAM_NAME_MAX_LENGTH),
    (Membership, "role", ROLE_MAX_LENGTH),
    (ApiKey, "name", API_KEY_NAME_MAX_LENGTH),
    (ApiKey, "key_prefix", PREFIX_LENGTH),
    (ApiKey, "key_hash", KEY_HASH_LENGTH),
    (Site, "site_key", SITE_KEY_MAX_LENGTH),
    (Site, "name", SITE_NAME_MAX_LENGTH),
    (Site, "domain", DOMAIN_MAX_LENGTH),
    (Site, "domain_changed_from", DOMAIN_MAX_LENGTH),
    (Site, "timezone", TIMEZONE_MAX_LENGTH),
    (DomainClaim, "domain", DOMAIN_MAX_LENGTH),
    (TrackerScriptConfiguration, "public_id", TRACKER_ID_MAX_LENGTH),
    (TrackerScriptConfiguration, "installation_type", INSTALLATION_TYPE_MAX_LENGTH),
    (Goal, "event_name", GOAL_EVENT_NAME_MAX_LENGTH),
    (Goal, "page_path", GOAL_TEXT_MAX_LENGTH),
    (Goal, "display_name", GOAL_TEXT_MAX_LENGTH),
    (Goal, "currency", CURRENCY_LENGTH),
    (Goal, "target_key", DIGEST_LENGTH),
    (Goal, "display_key", DIGEST_LENGTH),
    (GuestMembership, "role", ROLE_MAX_LENGTH),
    (GuestInvitation, "email", EMAIL_MAX_LENGTH),
    (GuestInvitation, "role", ROLE_MAX_LENGTH),
    (GuestInvitation, "token_hash", DIGEST_LENGTH),
    (SharedLink, "name", SHARED_LINK_NAME_MAX_LENGTH),
    (SharedLink, "slug", SHARED_LINK_SLUG_LENGTH),
]


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    COLUMNS,
    ids=[f"{model.__name__}.{field}" for model, field, _ in COLUMNS],
)
def test_each_column_is_as_long_as_its_constant(model, field, limit):
    assert model._meta.get_field(field).max_length == limit


# Columns whose length Django sets, not us.
DJANGOS_OWN = {(User, "password")}


def test_every_text_column_is_listed():
    """A new CharField or EmailField comes with its constant and a line above."""
    listed = {(model, field) for model, field, _ in COLUMNS}
    with_length = {
        (model, field.name)
        for config in apps.get_app_configs()
        if config.name in APPS
        for model in config.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField)
    }
    assert with_length - listed - DJANGOS_OWN == set()


def _field(serializer, path: str):
    field = serializer().fields[path.split(".")[0]]
    return field.child if path.endswith(".child") else field


SCHEMA_FIELDS = [
    (SiteCreateRequest, "domain", DOMAIN_MAX_LENGTH),
    (SiteUpdateRequest, "domain", DOMAIN_MAX_LENGTH),
    (ResourceSiteCreateRequest, "domain", DOMAIN_MAX_LENGTH),
    (ResourceSiteCreateRequest, "name", SITE_NAME_MAX_LENGTH),
    (ResourceSiteUpdateRequest, "domain", DOMAIN_MAX_LENGTH),
    (ResourceSiteUpdateRequest, "name", SITE_NAME_MAX_LENGTH),
    (GoalRequest, "event_name", GOAL_EVENT_NAME_MAX_LENGTH),
    (GoalRequest, "page_path", GOAL_TEXT_MAX_LENGTH),
    (GoalRequest, "display_name", GOAL_TEXT_MAX_LENGTH),
    (GoalRequest, "custom_props.child", GOAL_TEXT_MAX_LENGTH),
    (GoalRequest, "currency", CURRENCY_LENGTH),
    (CustomPropertyRequest, "property", CUSTOM_PROPERTY_MAX_LENGTH),
    (SharedLinkRequest, "name", SHARED_LINK_NAME_MAX_LENGTH),
    (StaffKeyRequestSerializer, "login", EMAIL_MAX_LENGTH),
    (StaffKeyRequestSerializer, "description", API_KEY_NAME_MAX_LENGTH),
]


@pytest.mark.parametrize(
    ("serializer", "field", "limit"),
    SCHEMA_FIELDS,
    ids=[f"{serializer.__name__}.{field}" for serializer, field, _ in SCHEMA_FIELDS],
)
def test_each_request_field_is_as_long_as_its_column(serializer, field, limit):
    assert _field(serializer, field).max_length == limit


def test_a_currency_is_exactly_as_long_as_its_column():
    assert _field(GoalRequest, "currency").min_length == CURRENCY_LENGTH


def test_the_goal_request_states_the_property_limit():
    assert _field(GoalRequest, "custom_props").help_text == f"At most {MAX_PROPS}."

"""Request shapes of the Plausible dialect, for the OpenAPI description only: the
services validate input (and accept it from the query string, JSON, form or
multipart bodies alike); these serializers describe the JSON form."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.openapi import PaginationMetaSerializer, query
from sites.goal_services import MAX_PROPS
from sites.models import (
    CURRENCY_LENGTH,
    CUSTOM_PROPERTY_MAX_LENGTH,
    DOMAIN_MAX_LENGTH,
    GOAL_EVENT_NAME_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    GuestRole,
    InstallationType,
)
from sites.serializers import GoalSerializer, GuestSerializer, SiteListItemSerializer
from sites.validation import TRACKER_FLAGS

SITE_ID = query(
    "site_id",
    required=True,
    pattern=r"^.+$",
    description="The site's domain (or its previous domain, for 72 hours after a change).",
)

FLAG_SCHEMA = {
    "oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false", "1", "0"]}]
}


@extend_schema_field(FLAG_SCHEMA)
class FlagField(serializers.Field):
    pass


class TrackerConfigurationRequest(serializers.Serializer):
    installation_type = serializers.ChoiceField(
        choices=InstallationType.values, allow_null=True, required=False
    )

    def get_fields(self):
        fields = super().get_fields()
        for flag in TRACKER_FLAGS:
            fields[flag] = FlagField(required=False)
        return fields


class SiteCreateRequest(serializers.Serializer):
    domain = serializers.CharField(
        max_length=DOMAIN_MAX_LENGTH, help_text="Normalised: scheme, www. and slashes go."
    )
    timezone = serializers.CharField(required=False, help_text="IANA name; default Etc/UTC.")
    team_id = serializers.UUIDField(
        required=False, help_text="Target team (ignored for team-scoped keys)."
    )
    tracker_script_configuration = TrackerConfigurationRequest(required=False, allow_null=True)


class SiteUpdateRequest(serializers.Serializer):
    domain = serializers.CharField(max_length=DOMAIN_MAX_LENGTH, required=False, allow_null=True)
    tracker_script_configuration = TrackerConfigurationRequest(required=False, allow_null=True)


class GoalRequest(serializers.Serializer):
    site_id = serializers.CharField(min_length=1)
    goal_type = serializers.ChoiceField(choices=["event", "page"])
    event_name = serializers.CharField(required=False, max_length=GOAL_EVENT_NAME_MAX_LENGTH)
    page_path = serializers.CharField(required=False, max_length=GOAL_TEXT_MAX_LENGTH)
    # null means "not given" for the optional fields, as in Plausible.
    display_name = serializers.CharField(
        required=False, allow_null=True, max_length=GOAL_TEXT_MAX_LENGTH
    )
    custom_props = serializers.DictField(
        child=serializers.CharField(max_length=GOAL_TEXT_MAX_LENGTH),
        required=False,
        allow_null=True,
        help_text=f"At most {MAX_PROPS}.",
    )
    scroll_threshold = serializers.IntegerField(
        required=False, allow_null=True, min_value=-1, max_value=100
    )
    currency = serializers.CharField(
        required=False, allow_null=True, min_length=CURRENCY_LENGTH, max_length=CURRENCY_LENGTH
    )


class CustomPropertyRequest(serializers.Serializer):
    site_id = serializers.CharField(min_length=1)
    property = serializers.CharField(max_length=CUSTOM_PROPERTY_MAX_LENGTH)


class GuestRequest(serializers.Serializer):
    site_id = serializers.CharField(min_length=1)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=GuestRole.values)


class DeletedResponse(serializers.Serializer):
    deleted = serializers.BooleanField()


class CreatedResponse(serializers.Serializer):
    created = serializers.BooleanField()


class SiteListResponse(serializers.Serializer):
    sites = SiteListItemSerializer(many=True)
    meta = PaginationMetaSerializer()


class GoalListResponse(serializers.Serializer):
    goals = GoalSerializer(many=True)
    meta = PaginationMetaSerializer()


class GuestListResponse(serializers.Serializer):
    guests = GuestSerializer(many=True)
    meta = PaginationMetaSerializer()


class _Property(serializers.Serializer):
    property = serializers.CharField()


class CustomPropertyListResponse(serializers.Serializer):
    custom_properties = _Property(many=True)

"""Plausible-dialect response shapes (docs/plausible-compat.md#object-shapes). Output only: input is
validated by the services, which own the rules. Plain Serializers with explicit
fields, not ModelSerializers: those introspect the model on every use, which cost
a third of a site read in the benchmark."""

from rest_framework import serializers

from sites.models import Site, TrackerScriptConfiguration
from sites.validation import TRACKER_FLAGS


class TrackerScriptConfigurationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    installation_type = serializers.ChoiceField(
        choices=TrackerScriptConfiguration._meta.get_field("installation_type").choices,
        allow_null=True,
    )

    def get_fields(self):
        fields = super().get_fields()
        for flag in TRACKER_FLAGS:
            fields[flag] = serializers.BooleanField()
        return fields


class SiteListItemSerializer(serializers.Serializer):
    domain = serializers.CharField()
    timezone = serializers.CharField()


class SiteSerializer(SiteListItemSerializer):
    """The full site object of #6, #7 and #15: exactly four keys."""

    custom_properties = serializers.SerializerMethodField()
    tracker_script_configuration = TrackerScriptConfigurationSerializer()

    def get_custom_properties(self, site: Site) -> list[str]:
        return custom_properties(site)

    def to_representation(self, site: Site) -> dict:
        return site_body(site)


def custom_properties(site: Site) -> list[str]:
    return list(site.allowed_event_props or [])


def site_body(site: Site) -> dict:
    """SiteSerializer's representation. The declared fields describe the shape
    (and the OpenAPI schema); this builds it directly, because copying and
    binding the fields of two serializers on every response cost as much as the
    site's query, and the views call it without a serializer instance at all
    (building one is most of what is left). tests/sites/test_site_detail.py
    holds the two equal."""
    configuration = site.tracker_script_configuration
    return {
        "domain": site.domain,
        "timezone": site.timezone,
        "custom_properties": custom_properties(site),
        "tracker_script_configuration": {
            "id": str(configuration.public_id),
            "installation_type": configuration.installation_type,
            **{flag: bool(getattr(configuration, flag)) for flag in TRACKER_FLAGS},
        },
    }


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    goal_type = serializers.ChoiceField(choices=["event", "page", "scroll"])
    event_name = serializers.CharField(allow_null=True)
    page_path = serializers.CharField(allow_null=True)
    custom_props = serializers.DictField(child=serializers.CharField())


class CreatedGoalSerializer(GoalSerializer):
    """#9 adds the site's current domain (even when addressed by its old one)."""

    domain = serializers.CharField(source="site.domain")


class GuestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.CharField()
    status = serializers.CharField()

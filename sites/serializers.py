"""Response shapes of the Plausible dialect (spec §2.1). Output only: input is
validated by the services, which own the rules."""

from rest_framework import serializers

from sites.models import Goal, Site, TrackerScriptConfiguration
from sites.validation import TRACKER_FLAGS


class TrackerScriptConfigurationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")

    class Meta:
        model = TrackerScriptConfiguration
        fields = ["id", "installation_type", *TRACKER_FLAGS]


class SiteSerializer(serializers.ModelSerializer):
    """The full site object of #6, #7 and #15: exactly four keys."""

    custom_properties = serializers.SerializerMethodField()
    tracker_script_configuration = TrackerScriptConfigurationSerializer()

    class Meta:
        model = Site
        fields = ["domain", "timezone", "custom_properties", "tracker_script_configuration"]

    def get_custom_properties(self, site: Site) -> list[str]:
        return list(site.allowed_event_props or [])


class SiteListItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["domain", "timezone"]


class GoalSerializer(serializers.ModelSerializer):
    goal_type = serializers.CharField()

    class Meta:
        model = Goal
        fields = ["id", "display_name", "goal_type", "event_name", "page_path", "custom_props"]


class CreatedGoalSerializer(GoalSerializer):
    """#9 adds the site's current domain (even when addressed by its old one)."""

    domain = serializers.CharField(source="site.domain")

    class Meta(GoalSerializer.Meta):
        fields = [*GoalSerializer.Meta.fields, "domain"]


class GuestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.CharField()
    status = serializers.CharField()

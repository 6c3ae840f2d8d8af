from rest_framework import serializers

from teams.models import Feature, Team


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="identifier")
    name = serializers.CharField(source="display_name")
    api_available = serializers.SerializerMethodField()

    def get_api_available(self, team: Team) -> bool:
        return team.has_feature(Feature.STATS_API)

from rest_framework import serializers

from api.openapi import PaginationMetaSerializer
from teams.models import Feature, Team


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="identifier")
    name = serializers.CharField(source="display_name")
    api_available = serializers.SerializerMethodField()

    def get_api_available(self, team: Team) -> bool:
        return team.has_feature(Feature.STATS_API)


class TeamListResponse(serializers.Serializer):
    """The documented shape of GET /api/v1/sites/teams."""

    teams = TeamSerializer(many=True)
    meta = PaginationMetaSerializer()

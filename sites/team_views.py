from rest_framework import mixins

from api.openapi import PAGINATION, api_operation
from api.pagination import NewestFirstPagination
from sites.base_views import KeyAuthenticatedViewSet
from sites.reach import Reach
from teams.models import Team
from teams.serializers import TeamListResponse, TeamSerializer


class TeamViewSet(mixins.ListModelMixin, KeyAuthenticatedViewSet):
    """GET /api/v1/sites/teams: the caller's teams, newest first (a team-scoped
    key: its own team only)."""

    pagination_class = NewestFirstPagination
    list_key = "teams"
    serializer_class = TeamSerializer
    queryset = Team.objects.none()  # for the schema generator; rows come from reach

    def queryset_within(self, reach: Reach):
        return reach.teams()

    @api_operation(summary="List teams", parameters=PAGINATION, response=TeamListResponse)
    def list(self, request):
        return super().list(request)

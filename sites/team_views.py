from rest_framework.response import Response

from api.openapi import PAGINATION, api_operation
from api.pagination import paginate_by_id_desc
from sites.base_views import ApiKeyView
from teams.selectors import teams_reachable_by_key
from teams.serializers import TeamListResponse, TeamSerializer


class TeamListView(ApiKeyView):
    """GET /api/v1/sites/teams: the caller's teams, newest first."""

    @api_operation(
        summary="List teams",
        parameters=PAGINATION,
        response=TeamListResponse,
    )
    def get(self, request):
        teams = teams_reachable_by_key(user=self.access.user, key_team=self.access.team)
        page = paginate_by_id_desc(teams, self.access.params)
        return Response({"teams": TeamSerializer(page.items, many=True).data, "meta": page.meta})

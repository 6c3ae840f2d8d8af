"""The Plausible-dialect viewsets for sites, goals, custom properties and guests
(docs/plausible-compat.md#endpoints). Actions only read parameters, take the
site from `get_object()` (sites.reach owns reach and roles) and call a service.
Routes: config/api_routes.py."""

from rest_framework import mixins
from rest_framework.response import Response

from api.errors import BadRequest
from api.openapi import PAGINATION, api_operation, path, query
from api.pagination import NewestFirstPagination, paginate_by_sort_key
from api.params import present
from sites import goal_services, guest_services, services
from sites import openapi as docs
from sites.base_views import KeyAuthenticatedViewSet
from sites.exceptions import PAYLOAD_REQUIRED, PROPERTY_NOT_TEXT, PROPERTY_REQUIRED
from sites.models import Goal, Site
from sites.reach import Reach
from sites.selectors import goals_of_site, guests_of_site
from sites.serializers import (
    CreatedGoalSerializer,
    GoalSerializer,
    GuestSerializer,
    SiteListItemSerializer,
    SiteSerializer,
    site_body,
)
from teams.models import MANAGE_ROLES, OWNER_ROLES, READ_ROLES, WRITE_ROLES

DELETED = {"deleted": True}
SITE_PATH = path("site_id", description="The site's domain; `/` percent-encoded as `%2F`.")


def _site_body(site) -> dict:
    services.tracker_configuration_for(site)
    return site_body(site)


class SiteViewSet(mixins.ListModelMixin, KeyAuthenticatedViewSet):
    """GET (#1) and POST (#7) /api/v1/sites; GET (#6), PUT (#15) and DELETE (#16)
    /api/v1/sites/:site_id."""

    site_actions = frozenset({"retrieve", "update", "destroy"})
    action_roles = {"retrieve": READ_ROLES, "update": WRITE_ROLES, "destroy": OWNER_ROLES}
    pagination_class = NewestFirstPagination
    list_key = "sites"
    serializer_class = SiteListItemSerializer
    queryset = Site.objects.none()  # for the schema generator; rows come from reach

    def queryset_within(self, reach: Reach):
        return reach.sites(READ_ROLES)

    @api_operation(
        summary="List sites",
        description="The caller's sites, newest first. With `team_id` (or a team-scoped "
        "key), that team's sites only.",
        parameters=[query("team_id", description="A team identifier (UUID)."), *PAGINATION],
        response=docs.SiteListResponse,
    )
    def list(self, request):
        return super().list(request)

    @api_operation(
        summary="Create a site",
        description="In the key's team, the `team_id` team, or the caller's personal team.",
        request=docs.SiteCreateRequest,
        response=SiteSerializer,
    )
    def create(self, request):
        params = self.params
        site = services.provision_site(
            user=self.reach.user,
            target_team=self.reach.requested_team,
            role_in_target_team=self.reach.requested_team_role,
            domain=params.get("domain"),
            timezone=params.get("timezone", services.DEFAULT_TIMEZONE),
            tracker_configuration=params.get("tracker_script_configuration"),
        )
        return Response(site_body(site))

    @api_operation(summary="Get a site", response=SiteSerializer, parameters=[SITE_PATH])
    def retrieve(self, request, site_id):
        return Response(_site_body(self.get_object()))

    @api_operation(
        summary="Update a site",
        description="Change the domain (the old one keeps resolving for 72 hours) and/or "
        "merge tracker configuration, in one transaction.",
        parameters=[SITE_PATH],
        request=docs.SiteUpdateRequest,
        response=SiteSerializer,
        extra_errors=(409,),
    )
    def update(self, request, site_id):
        params = self.params
        if "domain" not in params and "tracker_script_configuration" not in params:
            raise BadRequest(PAYLOAD_REQUIRED)
        site = services.update_site(
            site=self.get_object(),
            domain=params.get("domain", services.UNSET),
            tracker_configuration=params.get("tracker_script_configuration", services.UNSET),
        )
        return Response(site_body(site))

    @api_operation(
        summary="Delete a site",
        description="Owner only. Removes the site and its goals, links, guests and invitations.",
        parameters=[SITE_PATH],
        response=docs.DeletedResponse,
    )
    def destroy(self, request, site_id):
        services.delete_site(site=self.get_object())
        return Response(DELETED)


class GoalViewSet(mixins.ListModelMixin, KeyAuthenticatedViewSet):
    """GET (#3) and PUT (#9) /api/v1/sites/goals; DELETE /api/v1/sites/goals/:goal_id (#10)."""

    site_actions = frozenset({"list", "find_or_create", "destroy"})
    action_roles = {"list": READ_ROLES, "find_or_create": WRITE_ROLES, "destroy": WRITE_ROLES}
    pagination_class = NewestFirstPagination
    list_key = "goals"
    serializer_class = GoalSerializer
    queryset = Goal.objects.none()  # for the schema generator; rows come from reach

    def queryset_within(self, reach: Reach):
        return goals_of_site(self.get_object())

    @api_operation(
        summary="List goals", parameters=[docs.SITE_ID, *PAGINATION], response=docs.GoalListResponse
    )
    def list(self, request):
        return super().list(request)

    @api_operation(
        summary="Find or create a goal",
        request=docs.GoalRequest,
        response=CreatedGoalSerializer,
    )
    def find_or_create(self, request):
        params = self.params
        goal_type = params.get("goal_type")
        if not present(goal_type):
            raise BadRequest(goal_services.GOAL_TYPE_REQUIRED)
        site = self.get_object()
        goal = goal_services.find_or_create_goal(site=site, goal_type=goal_type, params=params)
        goal.site = site  # the current domain, without another query
        return Response(CreatedGoalSerializer(goal).data)

    @api_operation(
        summary="Delete a goal",
        parameters=[docs.SITE_ID, path("goal_id", int)],
        response=docs.DeletedResponse,
    )
    def destroy(self, request, goal_id):
        goal_services.delete_goal(site=self.get_object(), goal_id=goal_id)
        return Response(DELETED)


def _properties(raw: object) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(present(value) for value in values):
        raise BadRequest(PROPERTY_REQUIRED)
    if not all(isinstance(value, str) for value in values):
        raise BadRequest(PROPERTY_NOT_TEXT)
    return values


class CustomPropertyViewSet(KeyAuthenticatedViewSet):
    """GET (#4) and PUT (#11) /api/v1/sites/custom-props; DELETE
    /api/v1/sites/custom-props/*property (#12), where the name may contain `/`."""

    site_actions = frozenset({"list", "add", "destroy"})
    action_roles = {"list": READ_ROLES, "add": WRITE_ROLES, "destroy": WRITE_ROLES}
    queryset = Site.objects.none()  # for the schema generator

    @api_operation(
        summary="List custom properties",
        parameters=[docs.SITE_ID],
        response=docs.CustomPropertyListResponse,
    )
    def list(self, request):
        names = sorted(self.get_object().allowed_event_props or [])
        return Response({"custom_properties": [{"property": name} for name in names]})

    @api_operation(
        summary="Add a custom property",
        request=docs.CustomPropertyRequest,
        response=docs.CreatedResponse,
    )
    def add(self, request):
        raw = self.params.get("property")
        if not present(raw):
            raise BadRequest(PROPERTY_REQUIRED)
        properties = _properties(raw)
        services.add_custom_properties(site=self.get_object(), properties=properties)
        return Response({"created": True})

    @api_operation(
        summary="Remove a custom property",
        parameters=[docs.SITE_ID, path("property", description="May contain `/`.")],
        response=docs.DeletedResponse,
    )
    def destroy(self, request, property):
        services.remove_custom_property(site=self.get_object(), name=property)
        return Response(DELETED)


class GuestViewSet(KeyAuthenticatedViewSet):
    """GET (#5) and PUT (#13) /api/v1/sites/guests; DELETE /api/v1/sites/guests/:email (#14)."""

    site_actions = frozenset({"list", "find_or_invite", "destroy"})
    action_roles = {"list": READ_ROLES, "find_or_invite": MANAGE_ROLES, "destroy": MANAGE_ROLES}
    queryset = Site.objects.none()  # for the schema generator

    @api_operation(
        summary="List guests",
        description="Accepted guests, newest first, then pending invitations, oldest first.",
        parameters=[docs.SITE_ID, *PAGINATION],
        response=docs.GuestListResponse,
    )
    def list(self, request):
        site = self.get_object()

        def fetch(*, after, before, count):
            return guests_of_site(site=site, after=after, before=before, count=count)

        page = paginate_by_sort_key(fetch, self.params, "sort_index")
        return Response({"guests": GuestSerializer(page.items, many=True).data, "meta": page.meta})

    @api_operation(
        summary="Find or invite a guest",
        description="A new invitation is emailed (503 when the server has no outgoing "
        "mail configured); an existing guest or live invitation is returned unchanged, and "
        "an expired invitation is replaced by a freshly emailed one. Staff accounts and "
        "team members cannot be guests (400).",
        request=docs.GuestRequest,
        response=GuestSerializer,
    )
    def find_or_invite(self, request):
        params = self.params
        guest_services.require_guest_email(params.get("email"))
        role = guest_services.clean_guest_role(params.get("role"))
        email = guest_services.clean_guest_email(params.get("email"))
        guest = guest_services.find_or_invite_guest(
            site=self.get_object(), email=email, role=role, inviter=self.reach.user
        )
        return Response(GuestSerializer(guest).data)

    @api_operation(
        summary="Remove a guest",
        parameters=[docs.SITE_ID, path("email")],
        response=docs.DeletedResponse,
    )
    def destroy(self, request, email):
        guest_services.remove_guest(site=self.get_object(), email=email)
        return Response(DELETED)

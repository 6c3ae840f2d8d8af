"""The Plausible-dialect endpoints for sites, goals, custom properties and guests
(docs/plausible-compat.md#endpoints). Views only read parameters, pick the site through
`ApiAccess` (which owns reach and roles) and call a service."""

from rest_framework.response import Response

from api.errors import BadRequest
from api.openapi import PAGINATION, api_operation, path, query
from api.pagination import paginate_by_id_desc, paginate_by_sort_key
from api.params import present
from sites import goal_services, guest_services, services
from sites import openapi as docs
from sites.base_views import ApiKeyView
from sites.reach import MANAGE_ROLES, OWNER_ROLES, READ_ROLES, WRITE_ROLES
from sites.selectors import goals_of_site, guests_of_site, sites_visible_to
from sites.serializers import (
    CreatedGoalSerializer,
    GoalSerializer,
    GuestSerializer,
    SiteListItemSerializer,
    SiteSerializer,
)

DELETED = {"deleted": True}
SITE_PATH = path("site_id", description="The site's domain; `/` percent-encoded as `%2F`.")
PAYLOAD_REQUIRED = (
    "Payload must contain at least one of the parameters 'domain', 'tracker_script_configuration'"
)
PROPERTY_REQUIRED = "Parameter `property` is required to create a custom property"
PROPERTY_NOT_TEXT = "Parameter `property` must be a string or a list of strings"


def _site_body(site) -> dict:
    services.tracker_configuration_for(site)
    return SiteSerializer(site).data


class SiteCollectionView(ApiKeyView):
    """GET /api/v1/sites (#1) and POST /api/v1/sites (#7)."""

    @api_operation(
        summary="List sites",
        description="The caller's sites, newest first. With `team_id` (or a team-scoped "
        "key), that team's sites only.",
        parameters=[query("team_id", description="A team identifier (UUID)."), *PAGINATION],
        response=docs.SiteListResponse,
    )
    def get(self, request):
        access = self.access
        sites = sites_visible_to(
            user=access.user,
            team=access.requested_team,
            role_in_team=access.requested_team_role,
            roles=READ_ROLES,
            feature=access.feature,
        )
        page = paginate_by_id_desc(sites, access.params)
        return Response(
            {"sites": SiteListItemSerializer(page.items, many=True).data, "meta": page.meta}
        )

    @api_operation(
        summary="Create a site",
        description="In the key's team, the `team_id` team, or the caller's personal team.",
        request=docs.SiteCreateRequest,
        response=SiteSerializer,
    )
    def post(self, request):
        access = self.access
        params = access.params
        site = services.provision_site(
            user=access.user,
            target_team=access.requested_team,
            role_in_target_team=access.requested_team_role,
            domain=params.get("domain"),
            timezone=params.get("timezone", services.DEFAULT_TIMEZONE),
            tracker_configuration=params.get("tracker_script_configuration"),
        )
        return Response(SiteSerializer(site).data)


class SiteDetailView(ApiKeyView):
    """GET (#6), PUT (#15) and DELETE (#16) /api/v1/sites/:site_id."""

    site_context = True

    @api_operation(summary="Get a site", response=SiteSerializer, parameters=[SITE_PATH])
    def get(self, request, site_id):
        return Response(_site_body(self.access.site_for_roles(READ_ROLES)))

    @api_operation(
        summary="Update a site",
        description="Change the domain (the old one keeps resolving for 72 hours) and/or "
        "merge tracker configuration, in one transaction.",
        parameters=[SITE_PATH],
        request=docs.SiteUpdateRequest,
        response=SiteSerializer,
        extra_errors=(409,),
    )
    def put(self, request, site_id):
        params = self.access.params
        if "domain" not in params and "tracker_script_configuration" not in params:
            raise BadRequest(PAYLOAD_REQUIRED)
        site = self.access.site_for_roles(WRITE_ROLES)
        site = services.update_site(
            site=site,
            domain=params.get("domain", services.UNSET),
            tracker_configuration=params.get("tracker_script_configuration", services.UNSET),
        )
        return Response(SiteSerializer(site).data)

    @api_operation(
        summary="Delete a site",
        description="Owner only. Removes the site and its goals, links, guests and invitations.",
        parameters=[SITE_PATH],
        response=docs.DeletedResponse,
    )
    def delete(self, request, site_id):
        services.delete_site(site=self.access.site_for_roles(OWNER_ROLES))
        return Response(DELETED)


class GoalsView(ApiKeyView):
    """GET (#3) and PUT (#9) /api/v1/sites/goals."""

    site_context = True

    @api_operation(
        summary="List goals", parameters=[docs.SITE_ID, *PAGINATION], response=docs.GoalListResponse
    )
    def get(self, request):
        site = self.access.site_for_roles(READ_ROLES)
        page = paginate_by_id_desc(goals_of_site(site), self.access.params)
        return Response({"goals": GoalSerializer(page.items, many=True).data, "meta": page.meta})

    @api_operation(
        summary="Find or create a goal",
        request=docs.GoalRequest,
        response=CreatedGoalSerializer,
    )
    def put(self, request):
        params = self.access.params
        goal_type = params.get("goal_type")
        if not present(goal_type):
            raise BadRequest(goal_services.GOAL_TYPE_REQUIRED)
        site = self.access.site_for_roles(WRITE_ROLES)
        goal = goal_services.find_or_create_goal(site=site, goal_type=goal_type, params=params)
        goal.site = site  # the current domain, without another query
        return Response(CreatedGoalSerializer(goal).data)


class GoalDetailView(ApiKeyView):
    """DELETE /api/v1/sites/goals/:goal_id (#10)."""

    site_context = True

    @api_operation(
        summary="Delete a goal",
        parameters=[docs.SITE_ID, path("goal_id", int)],
        response=docs.DeletedResponse,
    )
    def delete(self, request, goal_id):
        site = self.access.site_for_roles(WRITE_ROLES)
        goal_services.delete_goal(site=site, goal_id=goal_id)
        return Response(DELETED)


def _properties(raw: object) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(value is None or value == "" for value in values):
        raise BadRequest(PROPERTY_REQUIRED)
    if not all(isinstance(value, str) for value in values):
        raise BadRequest(PROPERTY_NOT_TEXT)
    return values


class CustomPropsView(ApiKeyView):
    """GET (#4) and PUT (#11) /api/v1/sites/custom-props."""

    site_context = True

    @api_operation(
        summary="List custom properties",
        parameters=[docs.SITE_ID],
        response=docs.CustomPropertyListResponse,
    )
    def get(self, request):
        site = self.access.site_for_roles(READ_ROLES)
        names = sorted(site.allowed_event_props or [])
        return Response({"custom_properties": [{"property": name} for name in names]})

    @api_operation(
        summary="Add a custom property",
        request=docs.CustomPropertyRequest,
        response=docs.CreatedResponse,
    )
    def put(self, request):
        raw = self.access.params.get("property")
        if not present(raw):
            raise BadRequest(PROPERTY_REQUIRED)
        properties = _properties(raw)
        site = self.access.site_for_roles(WRITE_ROLES)
        services.add_custom_properties(site=site, properties=properties)
        return Response({"created": True})


class CustomPropDetailView(ApiKeyView):
    """DELETE /api/v1/sites/custom-props/*property (#12); the name may contain `/`."""

    site_context = True

    @api_operation(
        summary="Remove a custom property",
        parameters=[docs.SITE_ID, path("property", description="May contain `/`.")],
        response=docs.DeletedResponse,
    )
    def delete(self, request, property):
        site = self.access.site_for_roles(WRITE_ROLES)
        services.remove_custom_property(site=site, name=property)
        return Response(DELETED)


class GuestsView(ApiKeyView):
    """GET (#5) and PUT (#13) /api/v1/sites/guests."""

    site_context = True

    @api_operation(
        summary="List guests",
        description="Accepted guests, newest first, then pending invitations, oldest first.",
        parameters=[docs.SITE_ID, *PAGINATION],
        response=docs.GuestListResponse,
    )
    def get(self, request):
        site = self.access.site_for_roles(READ_ROLES)

        def fetch(*, after, before, count):
            return guests_of_site(site=site, after=after, before=before, count=count)

        page = paginate_by_sort_key(fetch, self.access.params, "sort_index")
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
    def put(self, request):
        params = self.access.params
        guest_services.require_guest_email(params.get("email"))
        role = guest_services.clean_guest_role(params.get("role"))
        email = guest_services.clean_guest_email(params.get("email"))
        site = self.access.site_for_roles(MANAGE_ROLES)
        guest = guest_services.find_or_invite_guest(
            site=site, email=email, role=role, inviter=self.access.user
        )
        return Response(GuestSerializer(guest).data)


class GuestDetailView(ApiKeyView):
    """DELETE /api/v1/sites/guests/:email (#14)."""

    site_context = True

    @api_operation(
        summary="Remove a guest",
        parameters=[docs.SITE_ID, path("email")],
        response=docs.DeletedResponse,
    )
    def delete(self, request, email):
        site = self.access.site_for_roles(MANAGE_ROLES)
        guest_services.remove_guest(site=site, email=email)
        return Response(DELETED)

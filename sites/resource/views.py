"""The resource dialect: /api/v1/analytics/sites, after the documented sites API
(JSON bodies, 201, PATCH, 422 with field details, a stable site key).

A subclass of the Plausible dialect's SiteViewSet: the same reach, services and
selectors, with its own scopes, envelope, pages and shapes, and the site named
by its key in the path rather than by `site_id`."""

from rest_framework import status
from rest_framework.response import Response

from api.dialects import RESOURCE
from api.openapi import api_operation, path, query
from api.pagination import NextCursorPagination
from apikeys.scopes import ANALYTICS_READ_SCOPE, ANALYTICS_WRITE_SCOPE
from sites import services
from sites.base_views import fetchable
from sites.resource import serializers as shapes
from sites.resource.errors import resource_exception_handler
from sites.selectors import SiteLookup
from sites.views import SiteViewSet
from teams.models import OWNER_ROLES, READ_ROLES, WRITE_ROLES

RESOURCE_ERRORS = (422,)
SITE_KEY = path("key", description="The site's key (`sk_…`).")


def operation(**kwargs):
    return api_operation(
        error_serializer=shapes.ResourceErrorSerializer,
        tags=("Analytics sites",),
        **kwargs,
    )


def _data(site) -> dict:
    return {"data": shapes.ResourceSiteSerializer(site).data}


class ResourceSiteViewSet(SiteViewSet):
    """/api/v1/analytics/sites and /api/v1/analytics/sites/:key: sites in the
    resource dialect, each named by its key (`sk_…`)."""

    dialect = RESOURCE
    read_scope = ANALYTICS_READ_SCOPE
    write_scope = ANALYTICS_WRITE_SCOPE
    site_actions = frozenset({"retrieve", "partial_update", "destroy"})
    action_roles = {"retrieve": READ_ROLES, "partial_update": WRITE_ROLES, "destroy": OWNER_ROLES}
    pagination_class = NextCursorPagination
    serializer_class = shapes.ResourceSiteSerializer

    def get_exception_handler(self):
        return resource_exception_handler

    # The site is named by its key, in the path: known before the caller is.
    def site_named_in_url(self) -> SiteLookup | None:
        return fetchable(self.site_lookup()) if self.names_a_site else None

    def site_lookup(self) -> SiteLookup | None:
        return SiteLookup.for_request(site_key=self.kwargs.get("key"))

    def check_params(self, params: dict) -> None:
        """Nothing to check: no `site_id` here."""

    def site_id_for_log(self) -> str | None:
        return None

    @operation(
        operation_id="analytics_list_sites",
        summary="List sites (resource dialect)",
        description="The caller's sites, newest first, at most `limit` (100) per page. "
        "`meta.next_cursor` appears only when there is a next page.",
        parameters=[
            query("team_id", description="A team identifier (UUID): that team's sites only."),
            query("limit", int, description="1 to 100 (others mean 100)."),
            query("cursor", description="`meta.next_cursor` of the previous page."),
        ],
        response=shapes.ResourceSiteListResponse,
    )
    def list(self, request):
        return super().list(request)

    @operation(
        operation_id="analytics_create_site",
        summary="Create a site (resource dialect)",
        request=shapes.ResourceSiteCreateRequest,
        response=shapes.ResourceSiteResponse,
        success_status=201,
        extra_errors=RESOURCE_ERRORS,
    )
    def create(self, request):
        site = services.provision_site(
            user=self.reach.user,
            target_team=self.reach.requested_team,
            role_in_target_team=self.reach.requested_team_role,
            domain=self.params.get("domain"),
            name=self.params.get("name"),
        )
        return Response(_data(site), status=status.HTTP_201_CREATED)

    @operation(
        operation_id="analytics_get_site",
        summary="Get a site by key (resource dialect)",
        parameters=[SITE_KEY],
        response=shapes.ResourceSiteResponse,
    )
    def retrieve(self, request, key):
        return Response(_data(self.get_object()))

    @operation(
        operation_id="analytics_update_site",
        summary="Update a site (resource dialect)",
        description="`name`, `domain` (the old domain keeps resolving for 72 hours) and "
        "`public_stats`; the key never changes.",
        parameters=[SITE_KEY],
        request=shapes.ResourceSiteUpdateRequest,
        response=shapes.ResourceSiteResponse,
        extra_errors=(*RESOURCE_ERRORS, 409),
    )
    def partial_update(self, request, key):
        site = self.get_object()
        params = self.params
        changes = {
            field: params[field] for field in ("domain", "name", "public_stats") if field in params
        }
        if "domain" in changes and changes["domain"] in (None, False):
            changes["domain"] = ""  # here null is not "no change": it is a blank domain
        site = services.update_site(site=site, **changes)
        return Response(_data(site))

    @operation(
        operation_id="analytics_delete_site",
        summary="Delete a site (resource dialect)",
        parameters=[SITE_KEY],
        response=shapes.ResourceDeletedResponse,
    )
    def destroy(self, request, key):
        services.delete_site(site=self.get_object())
        return Response({"data": {"deleted": True}})

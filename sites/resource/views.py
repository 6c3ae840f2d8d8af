"""The resource dialect: /api/v1/analytics/sites, after the documented sites API
(JSON bodies, 201, PATCH, 422 with field details, a stable site key). A thin
interface over the same access rules, services and selectors as the Plausible
dialect."""

from rest_framework import status
from rest_framework.response import Response

from api.openapi import api_operation, path, query
from api.pagination import paginate_by_id_desc
from apikeys.scopes import ANALYTICS_READ_SCOPE, ANALYTICS_WRITE_SCOPE
from sites import services
from sites.base_views import ApiKeyView
from sites.reach import OWNER_ROLES, READ_ROLES, WRITE_ROLES
from sites.resource import serializers as shapes
from sites.resource.errors import resource_exception_handler
from sites.selectors import sites_visible_to

RESOURCE_ERRORS = (422,)
SITE_KEY = path("key", description="The site's key (`sk_…`).")


def operation(**kwargs):
    return api_operation(
        error_serializer=shapes.ResourceErrorSerializer,
        tags=("Analytics sites",),
        **kwargs,
    )


class ResourceView(ApiKeyView):
    def scope_for(self, method: str) -> str:
        return (
            ANALYTICS_READ_SCOPE if method in ("GET", "HEAD", "OPTIONS") else ANALYTICS_WRITE_SCOPE
        )

    def get_exception_handler(self):
        return resource_exception_handler


def _data(site) -> dict:
    return {"data": shapes.ResourceSiteSerializer(site).data}


class ResourceSiteCollectionView(ResourceView):
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
    def get(self, request):
        access = self.access
        sites = sites_visible_to(
            user=access.user,
            team=access.requested_team,
            role_in_team=access.requested_team_role,
            roles=READ_ROLES,
            feature=access.feature,
        )
        params = {"limit": access.params.get("limit"), "after": access.params.get("cursor")}
        page = paginate_by_id_desc(sites, params)
        body = {"data": shapes.ResourceSiteSerializer(page.items, many=True).data}
        if page.meta["after"] is not None:
            body["meta"] = {"next_cursor": page.meta["after"]}
        return Response(body)

    @operation(
        operation_id="analytics_create_site",
        summary="Create a site (resource dialect)",
        request=shapes.ResourceSiteCreateRequest,
        response=shapes.ResourceSiteResponse,
        success_status=201,
        extra_errors=RESOURCE_ERRORS,
    )
    def post(self, request):
        access = self.access
        site = services.provision_site(
            user=access.user,
            target_team=access.requested_team,
            role_in_target_team=access.requested_team_role,
            domain=access.params.get("domain"),
            name=access.params.get("name"),
        )
        return Response(_data(site), status=status.HTTP_201_CREATED)


class ResourceSiteDetailView(ResourceView):
    site_key_kwarg = "key"

    @operation(
        operation_id="analytics_get_site",
        summary="Get a site by key (resource dialect)",
        parameters=[SITE_KEY],
        response=shapes.ResourceSiteResponse,
    )
    def get(self, request, key):
        return Response(_data(self.access.site_for_roles(READ_ROLES)))

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
    def patch(self, request, key):
        site = self.access.site_for_roles(WRITE_ROLES)
        params = self.access.params
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
    def delete(self, request, key):
        services.delete_site(site=self.access.site_for_roles(OWNER_ROLES))
        return Response({"data": {"deleted": True}})

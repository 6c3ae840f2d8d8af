"""Every API route, mounted from this one place (config/urls.py includes it at
/api/). It lives in the composition root because it spans apps.

Each dialect's routes are mounted at that dialect's prefix (api.dialects), so
that an error answered before any view runs takes the same dialect's envelope.
The Plausible dialect's paths are in Plausible's router order: literal routes
before the `:site_id` catch-all, each answering only its own methods (a site
named "goals" is reachable by DELETE, not by GET: api.routing). Empty segments
are ignored (`sites/+goals/*`)."""

from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.dialects import PLAUSIBLE, RESOURCE
from api.errors import not_found
from api.routing import literal_before_catch_all, viewset_route
from apikeys.views import StaffKeyCreateView, StaffKeyRevokeView
from config.health import HealthView, LivenessView
from sharedlinks.views import SharedLinkViewSet
from sites.resource.views import ResourceSiteViewSet
from sites.team_views import TeamViewSet
from sites.views import CustomPropertyViewSet, GoalViewSet, GuestViewSet, SiteViewSet

API_ROOT = "/api/"

site_detail = viewset_route(SiteViewSet, {"get": "retrieve", "put": "update", "delete": "destroy"})


def literal(viewset, actions: dict[str, str]):
    return literal_before_catch_all(
        viewset_route(viewset, actions),
        catch_all_view=site_detail,
        kwarg="site_id",
        after=f"{PLAUSIBLE.prefix}sites/",
    )


plausible_routes = [
    re_path(
        r"^sites/*$",
        viewset_route(SiteViewSet, {"get": "list", "post": "create"}),
        name="site-collection",
    ),
    re_path(r"^sites/+teams/*$", literal(TeamViewSet, {"get": "list"}), name="team-list"),
    re_path(
        r"^sites/+shared-links/*$",
        literal(SharedLinkViewSet, {"put": "find_or_create"}),
        name="shared-links",
    ),
    re_path(
        r"^sites/+goals/*$",
        literal(GoalViewSet, {"get": "list", "put": "find_or_create"}),
        name="goals",
    ),
    re_path(
        r"^sites/+goals/+(?P<goal_id>[^/]+)/*$",
        literal(GoalViewSet, {"delete": "destroy"}),
        name="goal",
    ),
    re_path(
        r"^sites/+custom-props/*$",
        literal(CustomPropertyViewSet, {"get": "list", "put": "add"}),
        name="custom-props",
    ),
    re_path(
        r"^sites/+custom-props/+(?P<property>.+?)/*$",
        literal(CustomPropertyViewSet, {"delete": "destroy"}),
        name="custom-prop",
    ),
    re_path(
        r"^sites/+guests/*$",
        literal(GuestViewSet, {"get": "list", "put": "find_or_invite"}),
        name="guests",
    ),
    re_path(
        r"^sites/+guests/+(?P<email>[^/]+)/*$",
        literal(GuestViewSet, {"delete": "destroy"}),
        name="guest",
    ),
    re_path(r"^sites/+(?P<site_id>.+?)/*$", site_detail, name="site-detail"),
]

resource_routes = [
    re_path(
        r"^sites/*$",
        viewset_route(ResourceSiteViewSet, {"get": "list", "post": "create"}),
        name="analytics-sites",
    ),
    re_path(
        r"^sites/+(?P<key>[^/]+)/*$",
        viewset_route(
            ResourceSiteViewSet,
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"},
        ),
        name="analytics-site",
    ),
]

# No route takes a key in its path: URLs end up in access logs.
staff_key_routes = [
    re_path(r"^keys/*$", StaffKeyCreateView.as_view(), name="staff-key-create"),
    re_path(r"^keys/+revoke/*$", StaffKeyRevokeView.as_view(), name="staff-key-revoke"),
]


def _under_api_root(prefix: str) -> str:
    return prefix.removeprefix(API_ROOT)


urlpatterns = [
    re_path(r"^health/*$", HealthView.as_view(), name="health"),
    re_path(r"^health/+live/*$", LivenessView.as_view(), name="health-live"),
    # Before the Plausible dialect's prefix, which contains it.
    path(_under_api_root(RESOURCE.prefix), include(resource_routes)),
    path(_under_api_root(PLAUSIBLE.prefix), include(plausible_routes)),
    path("v2/auth/", include(staff_key_routes)),
    # The OpenAPI description (YAML, or JSON with ?format=json) and its reader.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v2/swagger.yml", SpectacularAPIView.as_view(), name="schema-swagger-yml"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Anything else under /api/ is a JSON 404, with DEBUG on too (Django's debug
    # 404 page would otherwise replace handler404), whatever the method: exempt
    # from CSRF, or a POST would get Django's HTML 403 instead.
    re_path(r"^", csrf_exempt(not_found), name="api-not-found"),
]

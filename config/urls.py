from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.errors import not_found
from apikeys.admin_login import throttled_admin_login
from config.health import HealthView, LivenessView
from sharedlinks.views import share_page
from sites.web_views import accept_invitation_page

urlpatterns = [
    # Before the admin's own login route: failed logins are throttled.
    path("admin/login/", throttled_admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    re_path(r"^api/health/*$", HealthView.as_view(), name="health"),
    re_path(r"^api/health/+live/*$", LivenessView.as_view(), name="health-live"),
    # /api/v1/sites…, the Plausible dialect (teams and shared links included).
    path("api/v1/analytics/", include("sites.resource.urls")),
    path("api/v1/", include("config.plausible_routes")),
    path("api/v2/auth/", include("apikeys.urls")),
    # The OpenAPI description (YAML, or JSON with ?format=json) and its reader.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v2/swagger.yml", SpectacularAPIView.as_view(), name="schema-swagger-yml"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^share/(?P<domain>.+?)/*$", share_page, name="share-page"),
    path("invitations/<str:token>/", accept_invitation_page, name="accept-invitation"),
    # Anything else under /api/ is a JSON 404, with DEBUG on too (Django's debug
    # 404 page would otherwise replace handler404).
    re_path(r"^api/", not_found, name="api-not-found"),
]

handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

from django.contrib import admin
from django.urls import path, re_path

from accounts.admin_login import throttled_admin_login
from api.routing import mounted
from config import api_routes
from config.api_routes import API_ROOT
from sharedlinks.views import share_page
from sites.web_views import accept_invitation_page

urlpatterns = [
    # Every API route (both dialects, staff keys, health, the OpenAPI description),
    # first, as the routes nearly every request takes; the prefixes are disjoint.
    *mounted(API_ROOT.removeprefix("/"), api_routes.urlpatterns),
    # Before the admin's own login route: failed logins are throttled.
    path("admin/login/", throttled_admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    re_path(r"^share/(?P<domain>.+?)/*$", share_page, name="share-page"),
    path("invitations/<str:token>/", accept_invitation_page, name="accept-invitation"),
]

handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

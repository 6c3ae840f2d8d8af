from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/sites/", include("teams.urls")),
    path("api/v2/auth/", include("apikeys.urls")),
]

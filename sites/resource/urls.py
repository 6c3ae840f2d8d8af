from django.urls import re_path

from sites.resource import views

urlpatterns = [
    re_path(r"^sites/*$", views.ResourceSiteCollectionView.as_view(), name="analytics-sites"),
    re_path(
        r"^sites/+(?P<key>[^/]+)/*$",
        views.ResourceSiteDetailView.as_view(),
        name="analytics-site",
    ),
]

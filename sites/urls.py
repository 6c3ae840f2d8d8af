from django.urls import re_path

from sites import views

# Literal routes come before the `:site_id` catch-all, as in Plausible's router, so
# a site named "goals" cannot be reached by path. Empty segments are ignored.
urlpatterns = [
    re_path(r"^sites/*$", views.SiteCollectionView.as_view(), name="site-collection"),
    re_path(r"^sites/+goals/*$", views.GoalsView.as_view(), name="goals"),
    re_path(r"^sites/+goals/+(?P<goal_id>[^/]+)/*$", views.GoalDetailView.as_view(), name="goal"),
    re_path(r"^sites/+custom-props/*$", views.CustomPropsView.as_view(), name="custom-props"),
    re_path(
        r"^sites/+custom-props/+(?P<property>.+?)/*$",
        views.CustomPropDetailView.as_view(),
        name="custom-prop",
    ),
    re_path(r"^sites/+guests/*$", views.GuestsView.as_view(), name="guests"),
    re_path(r"^sites/+guests/+(?P<email>[^/]+)/*$", views.GuestDetailView.as_view(), name="guest"),
    re_path(r"^sites/+(?P<site_id>.+?)/*$", views.SiteDetailView.as_view(), name="site-detail"),
]

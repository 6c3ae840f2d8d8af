"""The Plausible dialect's route map, mounted at /api/v1/ by config/urls.py.

It lives in the composition root because it spans apps: the sites API's views and
the shared-links view share one path space (a site may not import shared links)."""

from django.urls import re_path

from sharedlinks.views import SharedLinksView
from sites import views
from sites.routing import literal_route
from sites.team_views import TeamListView


def literal(view_class):
    return literal_route(view_class, fallback_class=views.SiteDetailView)


# The Plausible dialect's whole path space, in Plausible's router order: literal
# routes before the `:site_id` catch-all, each answering only its own methods (a
# site named "goals" is reachable by DELETE, not by GET). Empty segments are ignored.
urlpatterns = [
    re_path(r"^sites/*$", views.SiteCollectionView.as_view(), name="site-collection"),
    re_path(r"^sites/+teams/*$", literal(TeamListView), name="team-list"),
    re_path(r"^sites/+shared-links/*$", literal(SharedLinksView), name="shared-links"),
    re_path(r"^sites/+goals/*$", literal(views.GoalsView), name="goals"),
    re_path(r"^sites/+goals/+(?P<goal_id>[^/]+)/*$", literal(views.GoalDetailView), name="goal"),
    re_path(r"^sites/+custom-props/*$", literal(views.CustomPropsView), name="custom-props"),
    re_path(
        r"^sites/+custom-props/+(?P<property>.+?)/*$",
        literal(views.CustomPropDetailView),
        name="custom-prop",
    ),
    re_path(r"^sites/+guests/*$", literal(views.GuestsView), name="guests"),
    re_path(r"^sites/+guests/+(?P<email>[^/]+)/*$", literal(views.GuestDetailView), name="guest"),
    re_path(r"^sites/+(?P<site_id>.+?)/*$", views.SiteDetailView.as_view(), name="site-detail"),
]

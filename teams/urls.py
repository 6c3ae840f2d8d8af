from django.urls import re_path

from teams.views import TeamListView

urlpatterns = [
    re_path(r"^sites/+teams/*$", TeamListView.as_view(), name="team-list"),
]

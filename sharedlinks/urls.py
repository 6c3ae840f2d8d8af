from django.urls import re_path

from sharedlinks.views import SharedLinksView

urlpatterns = [
    re_path(r"^sites/+shared-links/*$", SharedLinksView.as_view(), name="shared-links"),
]

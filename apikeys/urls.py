from django.urls import re_path

from apikeys.views import StaffKeyCreateView, StaffKeyRevokeView

# No route takes a key in its path: URLs end up in access logs.
urlpatterns = [
    re_path(r"^keys/*$", StaffKeyCreateView.as_view(), name="staff-key-create"),
    re_path(r"^keys/+revoke/*$", StaffKeyRevokeView.as_view(), name="staff-key-revoke"),
]

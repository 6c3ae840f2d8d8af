from django.urls import re_path

from apikeys.views import StaffKeyCreateView, StaffKeyRevokeView

urlpatterns = [
    re_path(r"^keys/*$", StaffKeyCreateView.as_view(), name="staff-key-create"),
    re_path(r"^keys/(?P<raw_key>[^/]+)/*$", StaffKeyRevokeView.as_view(), name="staff-key-revoke"),
]

from django.urls import path

from benchmarks.views import PeerSiteView, baseline_site
from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as service_urlpatterns

urlpatterns = [
    path("bench/baseline/<path:domain>", baseline_site),
    path("bench/peer/<path:domain>", PeerSiteView.as_view()),
    *service_urlpatterns,
]

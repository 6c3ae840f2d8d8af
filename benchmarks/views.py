"""The comparison endpoints. Both answer what `GET /api/v1/sites/:site_id` answers
at its simplest: one site's domain and timezone, found by domain."""

from django.http import Http404, JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import HasAPIKey

from sites.models import Site


def _site_json(domain: str) -> dict:
    site = Site.objects.filter(domain=domain).values("domain", "timezone").first()
    if site is None:
        raise Http404
    return site


def baseline_site(request, domain: str):
    """No DRF, no authentication: one indexed query and JSON."""
    return JsonResponse(_site_json(domain))


class PeerSiteView(APIView):
    """DRF guarded by djangorestframework-api-key (`Authorization: Api-Key <key>`)."""

    authentication_classes: list = []
    permission_classes = [HasAPIKey]

    def get(self, request, domain: str):
        return Response(_site_json(domain))

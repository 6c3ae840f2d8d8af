from django.http import Http404
from django.shortcuts import render
from rest_framework.response import Response

from api.errors import BadRequest
from api.openapi import api_operation
from sharedlinks import services
from sharedlinks.models import SharedLink
from sharedlinks.openapi import SharedLinkRequest, SharedLinkResponse
from sharedlinks.selectors import public_site_for_page, shared_link_for_page
from sites.base_views import KeyAuthenticatedViewSet
from teams.models import WRITE_ROLES


class SharedLinkViewSet(KeyAuthenticatedViewSet):
    """PUT /api/v1/sites/shared-links (#8)."""

    site_actions = frozenset({"find_or_create"})
    action_roles = {"find_or_create": WRITE_ROLES}
    queryset = SharedLink.objects.none()  # for the schema generator

    @api_operation(
        summary="Find or create a shared link",
        request=SharedLinkRequest,
        response=SharedLinkResponse,
    )
    def find_or_create(self, request):
        name = self.params.get("name")
        if name is None:
            raise BadRequest(services.NAME_REQUIRED)
        if not isinstance(name, str):
            raise BadRequest(services.NAME_NOT_TEXT)
        site = self.get_object()
        link = services.find_or_create_shared_link(site=site, name=name)
        return Response({"name": link.name, "url": services.shared_link_url(link, site)})


def share_page(request, domain: str):
    """GET /share/<domain>?auth=<slug>: the page a shared link opens."""
    link = shared_link_for_page(domain=domain, slug=request.GET.get("auth", ""))
    if link is not None:
        return render(request, "sharedlinks/share.html", {"site": link.site, "link": link})
    site = public_site_for_page(domain=domain)
    if site is None:
        raise Http404("No such shared link")
    return render(request, "sharedlinks/share.html", {"site": site, "link": None})

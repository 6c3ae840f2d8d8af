from rest_framework.views import APIView

from apikeys import errors
from apikeys.access import ApiAccess, authorize
from apikeys.authentication import ApiKeyAuthentication, require_key_presented
from apikeys.params import present, request_params
from apikeys.scopes import READ_SCOPE


class ApiKeyView(APIView):
    """Base view for every endpoint authenticated with an API key.

    Subclasses declare `required_scope` and whether they have a `site_context`, and
    read `self.access` (an `ApiAccess`); the checks run in Plausible's order:
    key presented → site_id present → key valid → rate limits → scope → site/team.
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes: list = []
    required_scope: str = READ_SCOPE
    site_context: bool = False

    access: ApiAccess

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        negotiated = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = negotiated

        require_key_presented(request)
        params = request_params(request, kwargs)
        site_id = params.get("site_id")
        if self.site_context and not present(site_id):
            raise errors.BadRequest(errors.MISSING_SITE_ID)
        self.perform_authentication(request)
        self.access = authorize(
            api_key=request.auth,
            required_scope=self.required_scope,
            site_id=str(site_id) if self.site_context else None,
            team_id=params.get("team_id"),
            params=params,
        )

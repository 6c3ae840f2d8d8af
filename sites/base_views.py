from rest_framework.views import APIView

from api import errors
from api.params import (
    has_body,
    present,
    request_params,
    site_id_in_url,
    url_mentions_site_id,
)
from apikeys.authentication import ApiKeyAuthentication, require_key_presented
from apikeys.ratelimit import Usage, policy_header, rate_limit_header
from apikeys.scopes import PROVISION_SCOPE, READ_SCOPE
from sites.exceptions import MISSING_SITE_ID, SITE_ID_NOT_TEXT
from sites.reach import ApiAccess, authorize
from sites.selectors import SiteLookup

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiKeyView(APIView):
    """Base view for every endpoint authenticated with an API key.

    Subclasses declare whether they have a `site_context` (and may override
    `required_scope`, which defaults to `sites:read:*` for reads and
    `sites:provision:*` for writes), and read `self.access` (an `ApiAccess`); the
    checks run in Plausible's order: key presented → site_id present → key valid →
    rate limits → scope → site/team, with one difference: nothing in the body is
    read before the key is valid. A `site_id` in the body can only be judged after
    that, so a request with a body and an invalid key is the 401 whatever the body
    holds (a bodyless request still gets the 400 for a missing site_id first).
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes: list = []
    required_scope: str | None = None
    site_context: bool = False
    # The resource dialect names its site in the path, by key: the URL kwarg.
    site_key_kwarg: str | None = None
    # Read in the key lookup's statement (apikeys.authentication): the named site.
    read_with_key: SiteLookup | None = None

    def scope_for(self, method: str) -> str:
        if self.required_scope is not None:
            return self.required_scope
        return READ_SCOPE if method in SAFE_METHODS else PROVISION_SCOPE

    access: ApiAccess

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        negotiated = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = negotiated

        require_key_presented(request)
        site_key = kwargs.get(self.site_key_kwarg) if self.site_key_kwarg else None
        if (
            self.site_context
            and not url_mentions_site_id(request, kwargs)
            and not has_body(request)
        ):
            raise errors.BadRequest(MISSING_SITE_ID)
        # A site named in the URL is fetched by the key's own query (one statement);
        # one named in the body is looked up by authorize(), once the body is read.
        lookup = SiteLookup.for_request(
            site_id=site_id_in_url(request, kwargs) if self.site_context else None,
            site_key=site_key,
        )
        # Nothing to fetch when no site can have that name; authorize() finds none.
        self.read_with_key = lookup if lookup is not None and lookup.possible else None
        self.perform_authentication(request)
        # Only now, with the caller known, is the body parsed.
        params = request_params(request, kwargs)
        site_id = params.get("site_id")
        if self.site_context and not present(site_id):
            raise errors.BadRequest(MISSING_SITE_ID)
        if self.site_context and not isinstance(site_id, str):
            raise errors.BadRequest(SITE_ID_NOT_TEXT)
        self.access = authorize(
            api_key=request.auth,
            required_scope=self.scope_for(request.method),
            site_id=site_id if self.site_context else None,
            team_id=params.get("team_id"),
            params=params,
            record_usage=self._record_usage,
            site_key=site_key,
        )

    rate_limit_usage: Usage | None = None

    def _record_usage(self, usage: Usage) -> None:
        self.rate_limit_usage = usage

    def finalize_response(self, request, response, *args, **kwargs):
        """Every response to a counted request says where its budget stands, errors
        (429 included) as much as successes."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.rate_limit_usage is not None:
            response["RateLimit-Policy"] = policy_header(self.rate_limit_usage)
            response["RateLimit"] = rate_limit_header(self.rate_limit_usage)
        return response

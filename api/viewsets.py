"""The base of every API viewset: DRF's own pipeline (`initial` is DRF's), with
what both dialects need on top.

- **Errors in the viewset's dialect** (`dialect`, api.dialects).
- **The body is parsed only once the caller is known.** After authentication, and
  only if it succeeded, the request's parameters (query string, body and path,
  merged as Plausible does: api.params) become `self.params`, and
  `check_params` may refuse them.
- **Throttles before permissions.** DRF checks permissions, then throttles;
  Plausible counts a request against its budget before it checks the key's scope
  (docs/plausible-compat.md#check-order), so a key refused for its scope still
  spends. The throttles run at the end of `perform_authentication`, once.
- **Every counted response says where its budget stands**: the headers a throttle
  gives (`response_headers()`), on errors (429 included) as much as successes.
"""

from rest_framework.metadata import SimpleMetadata
from rest_framework.viewsets import GenericViewSet

from api.dialects import PLAUSIBLE, Dialect
from api.params import request_params


class DescriptionMetadata(SimpleMetadata):
    """OPTIONS describes the endpoint (name, description, media types) without
    DRF's per-method `actions`, which would run the permission step and
    `get_object()` once more per method and build serializers for no one."""

    def determine_actions(self, request, view):
        return {}

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata


class ApiViewSet(GenericViewSet):
    dialect: Dialect = PLAUSIBLE
    metadata_class = DescriptionMetadata
    # Every parameter of the request (api.params.request_params), once the caller is known.
    params: dict

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Nothing is parsed for an unknown caller; the permission step refuses it.
        if request.auth is not None:
            self.params = request_params(request, self.kwargs)
            self.check_params(self.params)
        # Here, not in check_permissions: DRF may run the permission step again
        # (OPTIONS metadata does), and a request must be counted once.
        super().check_throttles(request)

    def check_params(self, params: dict) -> None:
        """Refuse the request for its parameters, before it is counted (a hook)."""

    def get_throttles(self):
        # Kept, so that `finalize_response` can read what they counted.
        if not hasattr(self, "_throttles"):
            self._throttles = super().get_throttles()
        return self._throttles

    def check_throttles(self, request):
        """Nothing: the throttles ran at the end of `perform_authentication`."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for throttle in getattr(self, "_throttles", ()):
            for header, value in throttle.response_headers().items():
                response[header] = value
        return response

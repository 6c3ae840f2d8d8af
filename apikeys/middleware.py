"""Request hygiene for everything under /api/: HTTPS only (unless the operator
allows plain HTTP), a maximum body size, and the one JSON error shape even for
requests that never reach a view."""

import re

from django.conf import settings
from django.http import JsonResponse

from apikeys.errors import json_error

API_PREFIX = "/api/"
# Health probes carry no secret, and load balancers probe over plain HTTP.
PROBE_PATH = re.compile(r"^/api/health(/+live)?/*$")
HTTPS_REQUIRED = (
    "HTTPS is required. Send this request to the https:// address of the API; "
    "plain HTTP is refused so that API keys never cross the network unencrypted."
)
BODY_TOO_LARGE = "The request body is too large (at most {limit} bytes)."


def body_too_large(request) -> JsonResponse:
    message = BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return json_error(request, message, 413)


class ApiHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and not PROBE_PATH.match(request.path):
            # Refused, not redirected: a redirect would have sent the key in the clear
            # already, and a client following it would lose a POST's body.
            if not settings.ALLOW_PLAIN_HTTP and not request.is_secure():
                return json_error(request, HTTPS_REQUIRED, 403)
            length = request.META.get("CONTENT_LENGTH")
            if length and length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return body_too_large(request)
        return self.get_response(request)

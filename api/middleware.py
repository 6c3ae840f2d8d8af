"""Request hygiene: forwarded headers believed only from trusted proxies (every
path), and for everything under /api/ HTTPS only (unless the operator allows
plain HTTP), a maximum body size, and the one JSON error shape even for requests
that never reach a view."""

import re

from corsheaders import middleware as _cors
from django.conf import settings
from django.contrib.auth import middleware as _auth
from django.contrib.messages import middleware as _messages
from django.contrib.sessions import middleware as _sessions
from django.utils.cache import patch_vary_headers

from api.errors import body_too_large, json_error
from api.network import is_trusted_proxy_peer

API_PREFIX = "/api/"
# Health probes carry no secret, and load balancers probe over plain HTTP.
PROBE_PATH = re.compile(r"^/api/health(/+live)?/*$")
HTTPS_REQUIRED = (
    "HTTPS is required. Send this request to the https:// address of the API; "
    "plain HTTP is refused so that API keys never cross the network unencrypted."
)


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


# Headers a reverse proxy sets to describe the original request.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_REAL_IP",
)


class UntrustedForwardedHeadersMiddleware:
    """Forwarded headers count only from a peer in TRUSTED_PROXIES; from anyone
    else they are deleted before any other code reads them.

    Django believes SECURE_PROXY_SSL_HEADER (and, with USE_X_FORWARDED_HOST,
    X-Forwarded-Host) from whoever sends it, so without this a client could send
    `X-Forwarded-Proto: https` over plain HTTP and be taken for an HTTPS client.
    Must be the first middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy_peer(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
            proxy_ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
            if proxy_ssl_header:
                request.META.pop(proxy_ssl_header[0], None)
        return self.get_response(request)


def off_api_paths(middleware_class):
    """`middleware_class`, skipped on /api/ paths.

    The admin's machinery (sessions, the session user, messages) serves the admin
    and the HTML pages; no API view reads a session, a cookie or a message. Each
    still cost work on every API request (the issue 14 profile), so on /api/
    they are not run at all. Elsewhere the wrapped middleware runs exactly as
    configured, its process_view/process_exception hooks included."""

    class OffApiPaths(middleware_class):
        # A subclass, so that checks looking for the original (the admin's) find it.
        def __call__(self, request):
            if request.path_info.startswith(API_PREFIX):
                return self.get_response(request)
            return super().__call__(request)

    for hook in ("process_view", "process_exception", "process_template_response"):
        if hasattr(middleware_class, hook):
            setattr(OffApiPaths, hook, _unless_api_path(getattr(middleware_class, hook)))
    OffApiPaths.__name__ = OffApiPaths.__qualname__ = middleware_class.__name__
    return OffApiPaths


def _unless_api_path(hook):
    """The hook, or on /api/ what a middleware without it would give: None, or
    for process_template_response the response unchanged."""
    passes_response_on = hook.__name__ == "process_template_response"

    def run(self, request, *args):
        if request.path_info.startswith(API_PREFIX):
            return args[0] if passes_response_on else None
        return hook(self, request, *args)

    return run


SessionMiddleware = off_api_paths(_sessions.SessionMiddleware)
AuthenticationMiddleware = off_api_paths(_auth.AuthenticationMiddleware)
MessageMiddleware = off_api_paths(_messages.MessageMiddleware)


class CorsMiddleware(_cors.CorsMiddleware):
    """django-cors-headers' middleware, which on every response looks for an
    Origin in `request.headers`, building that (every header of the request,
    parsed) on the way. A request without Origin (server-to-server calls, what
    panels send) gets what corsheaders gives it, `Vary: origin` on CORS paths and
    nothing more, without building it. With an Origin, corsheaders decides."""

    def add_response_headers(self, request, response):
        if "HTTP_ORIGIN" in request.META:
            return super().add_response_headers(request, response)
        enabled = getattr(request, "_cors_enabled", None)
        if enabled is None:
            enabled = self.is_enabled(request)
        if enabled:
            patch_vary_headers(response, ("origin",))
        return response

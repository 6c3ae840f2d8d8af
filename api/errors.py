"""The errors every endpoint can give, whichever app it belongs to: generic
messages clients depend on (Plausible's, word for word, where they exist), the
exceptions that carry them, the base class of the apps' domain errors, and the
one renderer that turns every API error into `{"error": "<message>"}`.

Imports no app: an app's domain error subclasses `ServiceError` and is rendered
from its `status_code` and `message`. Messages about keys live in apikeys, about
sites in sites, about teams in teams."""

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api import outages
from api.dialects import PLAUSIBLE, Dialect, dialect_for_path

INTERNAL_ERROR = "internal server error"
UNKNOWN_PATH = "Not found: no API endpoint at this path"
INVALID_LIMIT = "Parameter `limit` must be an integer"
INVALID_CURSOR = "Parameter `{name}` is not a valid pagination cursor"
BODY_NOT_OBJECT = "The request body must be a JSON object"
NUL_IN_PARAMETERS = (
    "Parameters must be valid UTF-8 text without NUL characters or unpaired surrogates"
)
BODY_TOO_LARGE = "The request body is too large (at most {limit} bytes)."


class ServiceError(Exception):
    """A domain error raised by an app's services, which know nothing of HTTP;
    the API answers it as `{"error": message}` with `status_code`."""

    status_code = 400
    # A dependency is down and the raiser has logged it: the answer carries
    # Retry-After and django.request does not log it again (api.outages).
    dependency_outage = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RateLimited(exceptions.APIException):
    """429 with Plausible's exact message; DRF's handler turns `wait` into
    Retry-After (whole seconds, rounded up)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many API requests."

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad request"


def _first_message(detail) -> str:
    """DRF details may be nested lists/dicts; clients get one readable string."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field == "non_field_errors" else f"{field}: {message}"
        return "Invalid input"
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input"
    return str(detail)


def json_error(request, message: str, status: int) -> JsonResponse:
    """An error answered outside any view: in the envelope of the dialect mounted
    at the request's path."""
    return JsonResponse(dialect_for_path(request.path).error_body(message), status=status)


def body_too_large_message() -> str:
    return BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def body_too_large(request) -> JsonResponse:
    return json_error(request, body_too_large_message(), 413)


def database_unavailable(request, exc: BaseException) -> JsonResponse:
    outages.log_database_outage(request, exc)
    response = json_error(request, outages.DATABASE_UNAVAILABLE, 503)
    return outages.mark_logged(response)


def server_error(request):
    """handler500: an unexpected failure under /api/ still answers JSON in the
    dialect's shape (Plausible's wording); other pages get Django's page. A
    database outage that escaped the views (raised in a middleware) is a 503."""
    exc = sys.exc_info()[1]
    if outages.is_database_outage(exc):
        if request.path.startswith("/api/"):
            return database_unavailable(request, exc)
        return outages.database_unavailable_page(request, exc)
    if request.path.startswith("/api/"):
        return json_error(request, INTERNAL_ERROR, 500)
    return defaults.server_error(request)


def not_found(request, exception=None):
    """handler404: unknown paths under /api/ answer JSON, never an HTML page."""
    if request.path.startswith("/api/"):
        return json_error(request, UNKNOWN_PATH, 404)
    return defaults.page_not_found(request, exception)


def _dialect(context) -> Dialect:
    """The view's dialect; a view that declares none speaks Plausible's."""
    return getattr(context.get("view"), "dialect", PLAUSIBLE)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error a view raises, as one message in the
    envelope of the view's dialect."""
    dialect = _dialect(context)
    if isinstance(exc, RequestDataTooBig):
        return Response(dialect.error_body(body_too_large_message()), status=413)
    if isinstance(exc, ServiceError):
        response = Response(dialect.error_body(exc.message), status=exc.status_code)
        # e.g. api.ratelimit has logged the outage's one line for this request.
        return outages.mark_logged(response) if exc.dependency_outage else response
    if outages.is_database_outage(exc):
        outages.log_database_outage(context["request"], exc)
        response = Response(dialect.error_body(outages.DATABASE_UNAVAILABLE), status=503)
        return outages.mark_logged(response)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    error = Response(dialect.error_body(_first_message(detail)), status=response.status_code)
    for header, value in response.items():
        if header.lower() != "content-type":
            error[header] = value
    return error

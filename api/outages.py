"""A dependency that is down is a 503 with Retry-After, not a 500.

PostgreSQL restarting (or unreachable, or a statement over its timeout) raises
Django's OperationalError or InterfaceError, on connect or mid-request. Clients'
retry logic reads 503 + Retry-After as "try again" and a 500 as "your request
broke the server", so these answer 503 in the dialect's error shape and log one
line each, without a traceback. Writes run in transactions, so a failure in the
middle leaves nothing behind. Anything else unexpected stays a 500.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    "The database is temporarily unavailable, so the request was not served. Please retry shortly."
)
RETRY_AFTER_SECONDS = 5
DATABASE_OUTAGES = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_OUTAGES)


def log_database_outage(request, exc: BaseException) -> None:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    logger.warning(
        "Database unavailable on %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        first_line,
    )


def mark_logged(response):
    """Our one line replaces django.request's "Service Unavailable" line."""
    response._has_been_logged = True
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_unavailable_page(request, exc: BaseException) -> HttpResponse:
    """Outside the API (admin, share page, invitation page): a plain 503."""
    log_database_outage(request, exc)
    response = HttpResponse(DATABASE_UNAVAILABLE, status=503, content_type="text/plain")
    return mark_logged(response)

"""The resource dialect's errors: its envelope is `{"error": {"message": "..."}}`
(api.dialects.RESOURCE, which api.errors renders), and invalid input is a 422
`{"error": {"message": "Validation failed", "details": {...}}}` with every
invalid field. The rules and messages are the Plausible dialect's."""

from rest_framework.response import Response

from api.errors import api_exception_handler
from sites.validation import InvalidSiteInput

VALIDATION_FAILED = "Validation failed"


def resource_exception_handler(exc, context):
    if isinstance(exc, InvalidSiteInput):
        details: dict[str, list[str]] = {}
        for error in exc.errors:
            details.setdefault(error.field, []).append(error.message)
        body = {"message": VALIDATION_FAILED, "details": details}
        return Response({"error": body}, status=422)
    return api_exception_handler(exc, context)

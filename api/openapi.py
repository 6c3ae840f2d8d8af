"""The OpenAPI description's shared parts (drf-spectacular): the one error shape,
the rate-limit headers, and hooks that turn our permissive URL regexes
(`sites/+goals/*`) into plain OpenAPI paths. The key schemes are apikeys.schema.

`api_operation()` documents an operation with the responses every key-authenticated
endpoint can give, so a view declares only what is its own."""

import re

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/: one key, a human-readable message."""

    error = serializers.CharField()


RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        "RateLimit",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='Policy nearest to running out: `"burst";r=<remaining>;t=<seconds>`.',
    ),
    OpenApiParameter(
        "RateLimit-Policy",
        str,
        OpenApiParameter.HEADER,
        response=True,
        description='The limits: `"hourly";q=600;w=3600, "burst";q=100;w=60`.',
    ),
    OpenApiParameter(
        "Retry-After",
        int,
        OpenApiParameter.HEADER,
        response=[429, 503],
        description="Whole seconds until the refused window ends.",
    ),
]

ERROR_DESCRIPTIONS = {
    400: "Bad parameters, or a missing `site_id`.",
    401: "Missing or invalid API key, or the key lacks the scope.",
    402: "The team is locked, lacks the feature, or is at its site limit.",
    403: "HTTPS required, the key's network restriction, or not permitted.",
    404: "No such site (or one the caller may not act on), or no such object.",
    406: "The `Accept` header excludes JSON.",
    409: "A concurrent change of the same site; try again.",
    422: "Validation failed: `details` lists every invalid field.",
    413: "The request body is too large.",
    429: "Rate limited; see `Retry-After`.",
    503: "Rate limiting (Redis) or the mail server is unavailable.",
}
COMMON_ERRORS = (400, 401, 402, 403, 404, 406, 413, 429, 503)


def error_responses(*codes: int, serializer=ErrorSerializer) -> dict:
    return {
        code: OpenApiResponse(serializer, description=ERROR_DESCRIPTIONS[code]) for code in codes
    }


def api_operation(
    *,
    summary: str,
    response,
    description: str = "",
    parameters=(),
    request=None,
    extra_errors=(),
    tags=("Sites API",),
    error_serializer=ErrorSerializer,
    success_status: int = 200,
    operation_id: str | None = None,
):
    """extend_schema for a key-authenticated operation of either dialect (each
    dialect has its own error envelope). `response` is the whole body: a list
    action's too (its page is an object), so it is never wrapped as a list."""
    if isinstance(response, type) and issubclass(response, serializers.BaseSerializer):
        extend_schema_serializer(many=False)(response)
    responses = {
        success_status: response,
        **error_responses(*COMMON_ERRORS, *extra_errors, serializer=error_serializer),
    }
    return extend_schema(
        operation_id=operation_id or re.sub(r"\W+", "_", summary.lower()).strip("_"),
        summary=summary,
        description=description,
        parameters=[*parameters, *RATE_LIMIT_HEADERS],
        request=request,
        responses=responses,
        tags=list(tags),
    )


def query(name: str, type_=str, *, required: bool = False, description: str = "", **extra):
    return OpenApiParameter(
        name, type_, OpenApiParameter.QUERY, required=required, description=description, **extra
    )


def path(name: str, type_=str, *, description: str = "", pattern: str | None = None):
    return OpenApiParameter(
        name, type_, OpenApiParameter.PATH, description=description, pattern=pattern
    )


PAGINATION = [
    query("limit", int, description="Page size, 1 to 100 (others mean 100)."),
    query("after", description="Cursor from `meta.after`: the next page."),
    query("before", description="Cursor from `meta.before`: the previous page."),
]


class PaginationMetaSerializer(serializers.Serializer):
    after = serializers.CharField(allow_null=True)
    before = serializers.CharField(allow_null=True)
    limit = serializers.IntegerField()


_REGEX_ARTEFACTS = [(re.compile(r"/\+"), "/"), (re.compile(r"/\*"), "")]


def clean_paths(endpoints, **kwargs):
    """Preprocessing hook: `^sites/+goals/*$` is how we accept repeated and trailing
    slashes; the description shows `/api/v1/sites/goals`."""
    cleaned = []
    for path_, path_regex, method, callback in endpoints:
        for pattern, replacement in _REGEX_ARTEFACTS:
            path_ = pattern.sub(replacement, path_)
        if len(path_) > 1:
            path_ = path_.rstrip("/")
        cleaned.append((path_, path_regex, method, callback))
    return cleaned


# Answered by the HTTP server (gunicorn) before the application runs, so their
# bodies are its own HTML, not JSON: documented without content.
HTTP_SERVER_LIMITS = {
    "414": {
        "description": "The URL is longer than the HTTP server accepts (gunicorn: a "
        "request line of 4094 bytes). The body is the server's own, not JSON."
    },
    "431": {
        "description": "A header is larger than the HTTP server accepts (gunicorn: "
        "8190 bytes), or there are more than 100 of them. The body is the server's "
        "own, not JSON."
    },
}


def document_http_server_limits(result, **kwargs):
    """Postprocessing hook: any operation can meet the HTTP server's size limits,
    so every one says so (clients and contract checks then expect them)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status, response in HTTP_SERVER_LIMITS.items():
                    operation["responses"].setdefault(status, response)
    return result

"""Key issuance and revocation over HTTP for staff automation, after Plesk's
/api/v2/auth/keys.

These are the only endpoints that accept HTTP basic auth, and only from an active
staff user holding the Django permission the endpoint needs (`apikeys.add_apikey`
to issue, `apikeys.delete_apikey` to revoke; superusers hold both). Anyone else
gets the same 401 as a wrong password (apikeys.staff_authentication).

They take JSON only, even for an empty body, so a form posted from another site
(which a browser may send with credentials it remembers) cannot issue a key, and
they are outside CORS (`CORS_URLS_REGEX` in config/settings.py). A raw key is
never part of a URL: revocation takes it, or its prefix, in the body."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_by_email
from api import errors
from api.network import client_address, client_address_text
from api.openapi import ErrorSerializer
from api.parsers import BoundedJSONParser
from apikeys.scopes import PROVISION_SCOPE
from apikeys.selectors import api_key_with_raw_key, api_keys_with_prefix
from apikeys.serializers import RevokeKeyRequestSerializer, StaffKeyRequestSerializer
from apikeys.services import create_api_key, revoke_api_key
from apikeys.staff_authentication import StaffBasicAuthentication
from teams.selectors import team_by_identifier

NO_STORE = {"Cache-Control": "no-store"}
JSON_MEDIA_TYPE = "application/json"
KEY_NOT_FOUND = "API key not found"
AMBIGUOUS_PREFIX = (
    "More than one API key has the prefix {prefix}; send the whole key as `key` instead."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


class StaffKeyView(APIView):
    authentication_classes = [StaffBasicAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [BoundedJSONParser]
    required_permission: str  # checked by StaffBasicAuthentication

    def initial(self, request, *args, **kwargs):
        # DRF parses an empty body of any content type as "no fields", which here
        # would issue a default key: insist on the header itself, before anything else.
        if request.method == "POST" and not _is_json(request.content_type):
            raise exceptions.UnsupportedMediaType(request.content_type or "(none)")
        super().initial(request, *args, **kwargs)


def _as_bad_request(exc: ValidationError) -> errors.BadRequest:
    return errors.BadRequest(" ".join(exc.messages))


class IssuedKeySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The raw key; shown only in this response.")


class RevokedKeySerializer(serializers.Serializer):
    revoked = serializers.BooleanField(help_text="False if the key was already revoked.")
    key_prefix = serializers.CharField()


STAFF_ERROR_DESCRIPTIONS = {
    400: "Bad input.",
    401: "No credentials, wrong ones, or a user who may not do this (one answer for all).",
    403: "HTTPS required.",
    404: "No such key (or no such path).",
    406: "The `Accept` header excludes JSON.",
    409: "The prefix matches more than one key; send the whole key.",
    413: "The request body is too large.",
    415: "The body is not `application/json`.",
    429: "Too many failed sign-ins from this address or for this account; see `Retry-After`.",
    503: "The failed sign-in counter (Redis) is unavailable; see `Retry-After`.",
}
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429, 503],
    description="Whole seconds until trying again may succeed.",
)


def staff_errors(*codes: int) -> dict:
    return {
        code: OpenApiResponse(ErrorSerializer, description=STAFF_ERROR_DESCRIPTIONS[code])
        for code in codes
    }


COMMON_STAFF_ERRORS = (400, 401, 403, 404, 406, 413, 415, 429, 503)


class StaffKeyCreateView(StaffKeyView):
    required_permission = "apikeys.add_apikey"

    @extend_schema(
        operation_id="issue_api_key",
        summary="Issue an API key (staff)",
        request=StaffKeyRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={201: IssuedKeySerializer, **staff_errors(*COMMON_STAFF_ERRORS)},
        tags=["Staff"],
    )
    def post(self, request):
        serializer = StaffKeyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        user = request.user
        if "login" in data:
            user = user_by_email(data["login"])
            if user is None:
                raise errors.BadRequest(f"login: no user with email {data['login']}")
        team = None
        if data.get("team_id") is not None:
            team = team_by_identifier(data["team_id"])
            if team is None:
                raise errors.BadRequest(f"team_id: no team with identifier {data['team_id']}")
        network = data.get("ip") or client_address(request)
        if network is None:
            raise errors.BadRequest("ip: the caller's address is unknown; send it explicitly")

        try:
            issued = create_api_key(
                user=user,
                team=team,
                name=data.get("description") or f"Issued over HTTP by {request.user.email}",
                # The same validation as the admin form (apikeys.scopes.validate_scopes).
                scopes=data.get("scopes", [PROVISION_SCOPE]),
                allowed_networks=[str(network)],
                created_by=request.user,
                source=client_address_text(request),
            )
        except ValidationError as exc:
            raise _as_bad_request(exc) from None
        return Response({"key": issued.raw_key}, status=status.HTTP_201_CREATED, headers=NO_STORE)


class StaffKeyRevokeView(StaffKeyView):
    required_permission = "apikeys.delete_apikey"

    @extend_schema(
        operation_id="revoke_api_key",
        summary="Revoke an API key (staff)",
        description=(
            'The body names the key: `{"key": "<the whole key>"}` or '
            '`{"key_prefix": "<its first 6 characters>"}`. Revoking twice is '
            "harmless (`revoked` is then false)."
        ),
        request=RevokeKeyRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={200: RevokedKeySerializer, **staff_errors(*COMMON_STAFF_ERRORS, 409)},
        tags=["Staff"],
    )
    def post(self, request):
        serializer = RevokeKeyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "key" in data:
            api_key = api_key_with_raw_key(data["key"])
        else:
            candidates = list(api_keys_with_prefix(data["key_prefix"])[:2])
            if len(candidates) > 1:
                raise Conflict(AMBIGUOUS_PREFIX.format(prefix=data["key_prefix"]))
            api_key = candidates[0] if candidates else None
        if api_key is None:
            raise exceptions.NotFound(KEY_NOT_FOUND)
        revoked = revoke_api_key(
            api_key=api_key, revoked_by=request.user, source=client_address_text(request)
        )
        return Response({"revoked": revoked, "key_prefix": api_key.key_prefix}, headers=NO_STORE)

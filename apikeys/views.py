"""Key issuance over HTTP for staff automation, after Plesk's /api/v2/auth/keys.

These two endpoints are the only ones that accept HTTP basic auth, and only from
active staff users."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BasicAuthentication
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_by_email
from apikeys import errors, keys
from apikeys.models import ApiKey
from apikeys.network import client_address
from apikeys.openapi import error_responses, path
from apikeys.scopes import PROVISION_SCOPE
from apikeys.serializers import StaffKeyRequestSerializer
from apikeys.services import create_api_key, revoke_api_key
from teams.selectors import team_by_identifier

NO_STORE = {"Cache-Control": "no-store"}


class IsActiveStaff(BasePermission):
    message = "Only staff users may manage API keys."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class StaffKeyView(APIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsActiveStaff]
    # JSON (documented) or a form; a multipart "body" of anything parses as empty.
    parser_classes = [JSONParser, FormParser]


def _as_bad_request(exc: ValidationError) -> errors.BadRequest:
    return errors.BadRequest(" ".join(exc.messages))


class IssuedKeySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The raw key; shown only in this response.")


class RevokedKeySerializer(serializers.Serializer):
    revoked = serializers.BooleanField()
    key_prefix = serializers.CharField()


STAFF_ERRORS = error_responses(400, 401, 403, 404, 406, 413)


class StaffKeyCreateView(StaffKeyView):
    @extend_schema(
        operation_id="issue_api_key",
        summary="Issue an API key (staff)",
        request=StaffKeyRequestSerializer,
        responses={201: IssuedKeySerializer, **STAFF_ERRORS},
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
                scopes=data.get("scopes", [PROVISION_SCOPE]),
                allowed_networks=[str(network)],
            )
        except ValidationError as exc:
            raise _as_bad_request(exc) from None
        return Response({"key": issued.raw_key}, status=status.HTTP_201_CREATED, headers=NO_STORE)


class StaffKeyRevokeView(StaffKeyView):
    @extend_schema(
        operation_id="revoke_api_key",
        summary="Revoke an API key (staff)",
        parameters=[path("raw_key", description="The raw key to revoke.")],
        responses={200: RevokedKeySerializer, **STAFF_ERRORS},
        tags=["Staff"],
    )
    def delete(self, request, raw_key: str):
        api_key = None
        if keys.is_well_formed(raw_key):
            api_key = ApiKey.objects.filter(key_hash=keys.hash_key(raw_key)).first()
        if api_key is None:
            raise errors.NotFound("API key not found")
        revoke_api_key(api_key=api_key)
        return Response({"revoked": True, "key_prefix": api_key.key_prefix}, headers=NO_STORE)

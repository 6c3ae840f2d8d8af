from rest_framework import serializers

from accounts.models import EMAIL_MAX_LENGTH
from apikeys.keys import PREFIX_LENGTH
from apikeys.models import API_KEY_NAME_MAX_LENGTH

ONE_OF_KEY_OR_PREFIX = "Send exactly one of `key` (the whole key) or `key_prefix`."
NOT_TEXT = "Must be a string."


class TextField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into
    text: the body is JSON, and `"description": -202` is a client's mistake."""

    default_error_messages = {"invalid": NOT_TEXT}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StaffKeyRequestSerializer(serializers.Serializer):
    """Body of POST /api/v2/auth/keys (after Plesk). Every field is optional."""

    login = serializers.EmailField(required=False, max_length=EMAIL_MAX_LENGTH)
    ip = TextField(required=False, max_length=64)
    # Becomes the key's name.
    description = TextField(required=False, max_length=API_KEY_NAME_MAX_LENGTH, allow_blank=True)
    team_id = serializers.UUIDField(required=False, allow_null=True)
    scopes = serializers.ListField(
        child=TextField(max_length=64), required=False, allow_empty=False
    )


class RevokeKeyRequestSerializer(serializers.Serializer):
    """Body of POST /api/v2/auth/keys/revoke: the whole key, or its 6-character
    prefix. The key travels in the body so it never appears in a URL (URLs end
    up in access logs and proxies)."""

    key = TextField(required=False, max_length=128)
    key_prefix = TextField(required=False, min_length=PREFIX_LENGTH, max_length=PREFIX_LENGTH)

    def validate(self, attrs):
        if ("key" in attrs) == ("key_prefix" in attrs):
            raise serializers.ValidationError(ONE_OF_KEY_OR_PREFIX)
        return attrs

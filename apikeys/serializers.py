from rest_framework import serializers

from apikeys.keys import PREFIX_LENGTH

ONE_OF_KEY_OR_PREFIX = "Send exactly one of `key` (the whole key) or `key_prefix`."


class StaffKeyRequestSerializer(serializers.Serializer):
    """Body of POST /api/v2/auth/keys (after Plesk). Every field is optional."""

    login = serializers.EmailField(required=False, max_length=254)
    ip = serializers.CharField(required=False, max_length=64)
    description = serializers.CharField(required=False, max_length=200, allow_blank=True)
    team_id = serializers.UUIDField(required=False, allow_null=True)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, allow_empty=False
    )


class RevokeKeyRequestSerializer(serializers.Serializer):
    """Body of POST /api/v2/auth/keys/revoke: the whole key, or its 6-character
    prefix. The key travels in the body so it never appears in a URL (URLs end
    up in access logs and proxies)."""

    key = serializers.CharField(required=False, max_length=128)
    key_prefix = serializers.CharField(
        required=False, min_length=PREFIX_LENGTH, max_length=PREFIX_LENGTH
    )

    def validate(self, attrs):
        if ("key" in attrs) == ("key_prefix" in attrs):
            raise serializers.ValidationError(ONE_OF_KEY_OR_PREFIX)
        return attrs

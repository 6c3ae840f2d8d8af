from rest_framework import serializers


class StaffKeyRequestSerializer(serializers.Serializer):
    """Body of POST /api/v2/auth/keys (after Plesk). Every field is optional."""

    login = serializers.EmailField(required=False, max_length=254)
    ip = serializers.CharField(required=False, max_length=64)
    description = serializers.CharField(required=False, max_length=200, allow_blank=True)
    team_id = serializers.UUIDField(required=False, allow_null=True)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, allow_empty=False
    )

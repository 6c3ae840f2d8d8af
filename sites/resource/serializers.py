"""Shapes of the resource dialect (/api/v1/analytics/sites), as its documentation
gives them: exactly six fields per site, wrapped in `{"data": ...}`."""

from rest_framework import serializers

from sites.models import DOMAIN_MAX_LENGTH, SITE_NAME_MAX_LENGTH


class ResourceSiteSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    domain = serializers.CharField()
    name = serializers.CharField()
    site_key = serializers.CharField()
    public_stats = serializers.BooleanField()
    created_at = serializers.DateTimeField(format="%Y-%m-%dT%H:%M:%SZ")


# For the OpenAPI description only: the services validate input.
class ResourceSiteCreateRequest(serializers.Serializer):
    domain = serializers.CharField(max_length=DOMAIN_MAX_LENGTH)
    name = serializers.CharField(max_length=SITE_NAME_MAX_LENGTH)


class ResourceSiteUpdateRequest(serializers.Serializer):
    domain = serializers.CharField(max_length=DOMAIN_MAX_LENGTH, required=False)
    name = serializers.CharField(max_length=SITE_NAME_MAX_LENGTH, required=False)
    public_stats = serializers.BooleanField(required=False)


class ResourceSiteResponse(serializers.Serializer):
    data = ResourceSiteSerializer()


class ResourceListMeta(serializers.Serializer):
    next_cursor = serializers.CharField(help_text="Pass as `cursor` for the next page.")


class ResourceSiteListResponse(serializers.Serializer):
    data = ResourceSiteSerializer(many=True)
    meta = ResourceListMeta(required=False, help_text="Only when there is a next page.")


class _Deleted(serializers.Serializer):
    deleted = serializers.BooleanField()


class ResourceDeletedResponse(serializers.Serializer):
    data = _Deleted()


class _ResourceErrorBody(serializers.Serializer):
    message = serializers.CharField()
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On 422: every invalid field with its messages.",
    )


class ResourceErrorSerializer(serializers.Serializer):
    error = _ResourceErrorBody()

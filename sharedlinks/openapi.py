"""The shapes the shared-links endpoint documents (request and response)."""

from rest_framework import serializers

from sharedlinks.models import SHARED_LINK_NAME_MAX_LENGTH


class SharedLinkRequest(serializers.Serializer):
    site_id = serializers.CharField(min_length=1)
    name = serializers.CharField(max_length=SHARED_LINK_NAME_MAX_LENGTH)


class SharedLinkResponse(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()

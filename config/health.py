"""Health endpoints for load balancers and orchestrators: no authentication, no
rate limit, no body parsing, and plain HTTP allowed (a probe carries no secret).

`GET /api/health` (Plausible's path and shape) answers whether this instance can
serve: one `SELECT 1` and one Redis `PING`, each bounded by the connection
timeouts in settings. `GET /api/health/live` touches no dependency: it says the
process answers, for a liveness probe that must not restart a healthy worker
because the database is down."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

OK, ERROR, NOT_CONFIGURED = "ok", "error", "not configured"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable: %s", type(exc).__name__)
        return ERROR
    return OK


def redis_status() -> str:
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    try:
        cache.client.get_client(write=True).ping()
    except Exception as exc:  # redis-py's connection and timeout errors
        logger.warning("Health check: Redis unavailable: %s", type(exc).__name__)
        return ERROR
    return OK


def readiness() -> dict[str, str]:
    database = database_status()
    is_postgres = connection.vendor == "postgresql"
    report = {"postgres": database if is_postgres else NOT_CONFIGURED}
    if not is_postgres:
        report[connection.vendor] = database
    report["redis"] = redis_status()
    return report


class HealthSerializer(serializers.Serializer):
    postgres = serializers.CharField(help_text="`ok`, `error` or `not configured`")
    sqlite = serializers.CharField(
        required=False, help_text="Only when the database is SQLite: `ok` or `error`"
    )
    redis = serializers.CharField(help_text="`ok`, `error` or `not configured`")


class ProbeView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes: list = []


class HealthView(ProbeView):
    @extend_schema(
        operation_id="health",
        summary="Can this instance serve?",
        description="200 when the database answers and Redis (if configured) does; "
        "503 otherwise. No authentication.",
        responses={
            200: HealthSerializer,
            503: HealthSerializer,
        },
        auth=[],
        tags=["Health"],
    )
    def get(self, request):
        report = readiness()
        healthy = all(value in (OK, NOT_CONFIGURED) for value in report.values()) and (
            OK in report.values()
        )
        return Response(
            report, status=200 if healthy else 503, headers={"Cache-Control": "no-store"}
        )


class LivenessView(ProbeView):
    @extend_schema(
        operation_id="health_live",
        summary="Is the process answering?",
        description="Touches no dependency: 200 whenever the application runs.",
        responses={200: inline_serializer("Liveness", {"status": serializers.CharField()})},
        auth=[],
        tags=["Health"],
    )
    def get(self, request):
        return Response({"status": OK}, headers={"Cache-Control": "no-store"})

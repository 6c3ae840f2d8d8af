"""Benchmark settings: production settings (config.settings) plus the two
comparison endpoints, which exist only here: a bare Django view (the floor) and a
DRF view behind djangorestframework-api-key (the peer)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework_api_key"]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls"

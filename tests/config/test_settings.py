"""The environment alone decides how the service runs. Each case starts a fresh
interpreter so the settings module is read under exactly that environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "cache": settings.CACHES["default"]["BACKEND"],
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "hosts": settings.ALLOWED_HOSTS,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(**env: str) -> dict:
    result = run_python(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production_env(**extra: str) -> dict:
    return {"SECRET_KEY": secrets.token_urlsafe(50), **extra}


def test_debug_is_off_when_unset():
    settings = probe(**production_env())
    assert settings["DEBUG"] is False
    assert settings["ssl_redirect"] is True
    assert settings["static"] == "config.storage.ForgivingManifestStaticFilesStorage"


def test_a_missing_secret_key_is_refused_in_production():
    result = run_python(PROBE)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def manage(*args: str) -> subprocess.CompletedProcess:
    clean_env = {"PATH": os.environ["PATH"]}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_checking_migrations_needs_no_secret_but_everything_else_does():
    """A bare checkout can run `makemigrations --check`; nothing that serves,
    signs or migrates starts without a SECRET_KEY in production."""
    checked = manage("makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    for command in (["check"], ["migrate", "--plan"], ["createsuperuser", "--help"]):
        refused = manage(*command)
        assert refused.returncode != 0, command
        assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr


def test_development_needs_no_secret():
    assert probe(DEBUG="true")["DEBUG"] is True


def test_the_default_database_is_sqlite_in_the_project_folder():
    settings = probe(**production_env())
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["db_name"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    settings = probe(**production_env(DATABASE_URL="postgres://u:p@db.internal:5432/analytics"))
    # Django's PostgreSQL backend, with a health check that costs no round trip.
    assert settings["engine"] == "config.db.postgresql"
    assert settings["db_name"] == "analytics"


def test_postgresql_prepares_repeated_statements_unless_told_not_to():
    url = "postgres://u:p@db.internal:5432/analytics"
    options = probe(**production_env(DATABASE_URL=url))["db_options"]
    bounded = {"connect_timeout": 3, "options": "-c statement_timeout=5000"}
    assert options == {"server_side_binding": True, "prepare_threshold": 5, **bounded}
    off = probe(**production_env(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false"))
    assert off["db_options"] == bounded


def test_postgresql_waits_are_bounded_by_settings():
    url = "postgres://u:p@db.internal:5432/analytics"
    env = production_env(
        DATABASE_URL=url,
        DATABASE_CONNECT_TIMEOUT_SECONDS="2",
        DATABASE_STATEMENT_TIMEOUT_SECONDS="7",
        DATABASE_PREPARED_STATEMENTS="false",
    )
    assert probe(**env)["db_options"] == {
        "connect_timeout": 2,
        "options": "-c statement_timeout=7000",
    }


def test_redis_url_selects_the_redis_cache():
    settings = probe(**production_env(REDIS_URL="redis://127.0.0.1:6379/3"))
    assert settings["cache"] == "django_redis.cache.RedisCache"
    assert probe(**production_env())["cache"].endswith("LocMemCache")


def test_allowed_hosts_default_to_the_base_url_host():
    settings = probe(**production_env(BASE_URL="https://analytics.example.com"))
    assert "analytics.example.com" in settings["hosts"]
    assert probe(**production_env(ALLOWED_HOSTS="a.test, b.test"))["hosts"] == ["a.test", "b.test"]


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"BASE_URL": "analytics.example.com"}, "BASE_URL must be an absolute"),
        ({"TRUSTED_PROXIES": "10.0.0.0/99"}, "TRUSTED_PROXIES"),
        ({"DATABASE_CONN_MAX_AGE": "forever"}, "must be an integer"),
    ],
)
def test_malformed_settings_fail_loudly(env, message):
    result = run_python(PROBE, **production_env(**env))
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **production_env(BASE_URL="https://analytics.example.com"),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_cors_and_rate_limit_settings_come_from_the_environment():
    code = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "cors": "api.middleware.CorsMiddleware" in settings.MIDDLEWARE,
    "all": settings.CORS_ALLOW_ALL_ORIGINS,
    "origins": settings.CORS_ALLOWED_ORIGINS,
    "methods": settings.CORS_ALLOW_METHODS,
    "fail_open": settings.RATELIMIT_FAIL_OPEN,
    "legacy": settings.LEGACY_HOURLY_API_REQUEST_LIMIT,
}))
"""
    defaults = json.loads(run_python(code, DEBUG="true").stdout)
    assert defaults == {
        "cors": True,
        "all": True,
        "origins": [],
        "methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        "fail_open": False,
        "legacy": 600,
    }
    configured = json.loads(
        run_python(
            code,
            DEBUG="true",
            CORS_ALLOWED_ORIGINS="https://a.example, https://b.example",
            CORS_ALLOWED_METHODS="get,put",
            RATELIMIT_FAIL_OPEN="true",
            LEGACY_HOURLY_API_REQUEST_LIMIT="50",
        ).stdout
    )
    assert configured["all"] is False
    assert configured["origins"] == ["https://a.example", "https://b.example"]
    assert configured["methods"] == ["GET", "PUT"]
    assert configured["fail_open"] is True and configured["legacy"] == 50
    off = json.loads(run_python(code, DEBUG="true", CORS_ENABLED="false").stdout)
    assert off["cors"] is False

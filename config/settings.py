"""The one settings module. Everything that differs between installations is read
from the environment (see the table in README.md); `DEBUG` alone decides between
development defaults and strict production behaviour.
"""

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "For local development run `make run`, which sets DEBUG=true."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in ("http", "https") or not _base.hostname:
    raise ImproperlyConfigured(f"BASE_URL must be an absolute http(s) URL, got {BASE_URL!r}")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [_base.hostname, "localhost", "127.0.0.1", "[::1]"]

# Plain HTTP is refused in production unless the operator explicitly allows it.
ALLOW_PLAIN_HTTP = env_bool("ALLOW_PLAIN_HTTP", DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "teams",
    "apikeys",
    "sites",
    "sharedlinks",
]

MIDDLEWARE = [
    "api.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ApiHygieneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The admin's sessions, session user and messages, skipped on /api/ paths,
    # where nothing uses them. CSRF stays whole: every API view is exempt, and
    # `check --deploy` wants Django's own.
    "api.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.middleware.AuthenticationMiddleware",
    "api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that polls the idle socket instead of
    # sending `SELECT 1` before every request's first query (config/db/postgresql).
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Every request runs the same few statements; planning them each time cost
    # PostgreSQL more than executing them (0.45 ms vs 0.14 ms for the key and site
    # lookup). Server-side binding lets psycopg prepare a statement once it has run
    # 5 times on a connection. Turn off behind a transaction-mode PgBouncer older
    # than 1.21 (or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Bounded waits: a database that is down or stuck costs a request at most
    # these many seconds, then a 503 (api.outages), well inside gunicorn's
    # worker timeout, so workers answer instead of being killed.
    DATABASE_CONNECT_TIMEOUT_SECONDS = env_int("DATABASE_CONNECT_TIMEOUT_SECONDS", 3)
    DATABASE_STATEMENT_TIMEOUT_SECONDS = env_int("DATABASE_STATEMENT_TIMEOUT_SECONDS", 5)
    if DATABASE_CONNECT_TIMEOUT_SECONDS < 1 or DATABASE_STATEMENT_TIMEOUT_SECONDS < 1:
        raise ImproperlyConfigured("Database timeouts must be at least 1 second.")
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_SECONDS)
    _pg_options["options"] = (
        f"{_pg_options.get('options', '')} "
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000}"
    ).strip()
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers queue for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "siteprov")
if REDIS_URL:
    from config.redis_retry import retry_a_broken_connection_once

    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "CONNECTION_POOL_KWARGS": {"retry": retry_a_broken_connection_once()},
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.ForgivingManifestStaticFilesStorage"
        )
    },
}
# A file missing from the manifest (collectstatic not run) is served unhashed from
# the apps' static directories instead of crashing the page (config/storage.py).
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.JsonFirstNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

# Largest request body accepted (bytes); larger ones get a JSON 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)

# CORS for browser-based API clients (django-cors-headers), on /api/ only.
CORS_ENABLED = env_bool("CORS_ENABLED", True)
if not CORS_ENABLED:
    MIDDLEWARE.remove("api.middleware.CorsMiddleware")
CORS_URLS_REGEX = r"^/api/.*$"
_cors_origins = env_list("CORS_ALLOWED_ORIGINS", "*")
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_ALLOW_METHODS = [
    method.upper()
    for method in env_list("CORS_ALLOWED_METHODS", "GET,POST,PUT,PATCH,DELETE,OPTIONS")
]
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "user-agent", "x-api-key"]
# Browser code may read its budget, and when to come back.
CORS_EXPOSE_HEADERS = ["RateLimit", "RateLimit-Policy", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = env_int("CORS_PREFLIGHT_MAX_AGE", 86400)

SPECTACULAR_SETTINGS = {
    "TITLE": "Analytics site-provisioning API",
    "DESCRIPTION": (
        "Plausible-compatible Sites API (`/api/v1/sites…`) and staff key issuance "
        '(`/api/v2/auth/keys`). Every error is `{"error": "<message>"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.openapi.clean_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.document_http_server_limits",
    ],
    # What a client sends (goal_type) and what a goal is (scroll goals included).
    "ENUM_NAME_OVERRIDES": {
        "GoalTypeEnum": ["event", "page"],
        "GoalKindEnum": ["event", "page", "scroll"],
    },
    "SERVERS": [{"url": BASE_URL}],
}

# Addresses (or CIDR networks) of reverse proxies whose X-Forwarded-For we believe.
# Empty: the client address is always the TCP peer address.
try:
    TRUSTED_PROXIES = [
        ipaddress.ip_network(net, strict=False) for net in env_list("TRUSTED_PROXIES")
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None

# e.g. "X-Forwarded-Proto" when a TLS-terminating proxy sets that header.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    if not ALLOW_PLAIN_HTTP:
        SECURE_SSL_REDIRECT = True
        # API clients get a clear 403 instead (api.middleware.ApiHygieneMiddleware).
        SECURE_REDIRECT_EXEMPT = [r"^api/"]
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [f"{_base.scheme}://{_base.netloc}"]

# Mail (guest invitations). Setting EMAIL_HOST switches to SMTP unless EMAIL_BACKEND
# says otherwise. The console backend (it prints mail, invitation links included) is
# only the development default: in production with neither set, EMAIL_CONFIGURED is
# False, new invitations answer 503 and the backend refuses to send anything.
EMAIL_CONFIGURED = DEBUG or bool(env_str("EMAIL_HOST") or env_str("EMAIL_BACKEND"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive.")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "config.mail.NotConfiguredEmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "analytics@localhost")
if env_str("EMAIL_FILE_PATH"):  # for django.core.mail.backends.filebased.EmailBackend
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
# How long an emailed guest invitation can be accepted (Plausible: 48 hours).
GUEST_INVITATION_TTL_HOURS = env_int("GUEST_INVITATION_TTL_HOURS", 48)
if GUEST_INVITATION_TTL_HOURS < 1:
    raise ImproperlyConfigured("GUEST_INVITATION_TTL_HOURS must be at least 1.")

# Rate limits (docs/plausible-compat.md#rate-limits). Teams carry their own (admin, commands);
# legacy keys outside a team's site are limited per user with these.
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", False)
LEGACY_HOURLY_API_REQUEST_LIMIT = env_int("LEGACY_HOURLY_API_REQUEST_LIMIT", 600)
LEGACY_BURST_REQUEST_LIMIT = env_int("LEGACY_BURST_REQUEST_LIMIT", 100)
LEGACY_BURST_PERIOD_SECONDS = env_int("LEGACY_BURST_PERIOD_SECONDS", 60)
if LEGACY_BURST_PERIOD_SECONDS < 1:
    raise ImproperlyConfigured("LEGACY_BURST_PERIOD_SECONDS must be at least 1.")

# Resolved API keys kept in each process's memory (apikeys.principal_cache), only
# with REDIS_URL: every use is checked against Redis in the script that counts
# the request, so a change made anywhere applies to the next request. The age
# bounds what a change made behind the application's back (raw SQL) could miss.
PRINCIPAL_CACHE_SIZE = env_int("PRINCIPAL_CACHE_SIZE", 10_000)
PRINCIPAL_CACHE_MAX_AGE_SECONDS = env_int("PRINCIPAL_CACHE_MAX_AGE_SECONDS", 60)
if PRINCIPAL_CACHE_SIZE < 0 or PRINCIPAL_CACHE_MAX_AGE_SECONDS < 0:
    raise ImproperlyConfigured(
        "PRINCIPAL_CACHE_SIZE and PRINCIPAL_CACHE_MAX_AGE_SECONDS must be zero (off) or more."
    )

# Failed sign-ins (staff basic auth, admin login, invitation page) allowed per
# client address and per account before a 429, as django-ratelimit rates
# ("<count>/<period>", period like 15m or 1h).
FAILED_SIGN_IN_RATE_PER_ADDRESS = env_str("FAILED_SIGN_IN_RATE_PER_ADDRESS", "20/15m")
FAILED_SIGN_IN_RATE_PER_ACCOUNT = env_str("FAILED_SIGN_IN_RATE_PER_ACCOUNT", "10/15m")
for _name in ("FAILED_SIGN_IN_RATE_PER_ADDRESS", "FAILED_SIGN_IN_RATE_PER_ACCOUNT"):
    if not re.fullmatch(r"[1-9][0-9]*/[1-9]?[0-9]*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(
            f"{_name} must look like 10/15m (attempts per period), got {globals()[_name]!r}"
        )

# Per-site goal limit (Plausible's max_goals_per_site).
MAX_GOALS_PER_SITE = env_int("MAX_GOALS_PER_SITE", 1000)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# Secrets that travel in paths never reach a log line: raw API keys (anything
# with our key's shape and checksum) and invitation tokens. The filters sit on
# the console handler (it sees every propagated record) and on the loggers that
# log request paths, so Django's own handlers (DEBUG's console) get them too.
_REDACTING_FILTERS = ["redact_api_keys", "redact_invitations"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "redact_api_keys": {"()": "apikeys.redaction.RedactApiKeys"},
        "redact_invitations": {"()": "sites.log_filters.RedactInvitationLinks"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": _REDACTING_FILTERS,
        }
    },
    "loggers": {
        name: {"filters": _REDACTING_FILTERS}
        for name in ("django.request", "django.security.csrf", "django.server")
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Staff key endpoints, forwarded headers, keys in logs (one block, on purpose):
# - forwarded headers (and SECURE_PROXY_SSL_HEADER) from a peer outside
#   TRUSTED_PROXIES are deleted before anything reads them, so must come first;
# - the staff endpoints under /api/v2/auth/ are no CORS target.
MIDDLEWARE.insert(0, "api.middleware.UntrustedForwardedHeadersMiddleware")
CORS_URLS_REGEX = r"^/api/(?!v2/auth(?:/|$)).*$"

"""gunicorn's configuration for this project. gunicorn reads ./gunicorn.conf.py on
its own when started from the project directory (the README's production
command); `-c gunicorn.conf.py` says so explicitly.

- Forwarded headers (X-Forwarded-Proto and friends) are believed only from the
  addresses in TRUSTED_PROXIES, the same list Django uses. gunicorn's own default
  believes them from 127.0.0.1, so any process on the host, or a local proxy that
  passes the header through, could make plain HTTP look like HTTPS.
- Every log line gunicorn writes (errors and the access log) goes through the
  filter that redacts raw API keys (apikeys.redaction), so a key sent in a URL
  does not end up in the access log.

- Invitation links (their path carries a secret token) are redacted the same way.

Environment: BIND (default 0.0.0.0:$PORT, PORT default 8000), WEB_CONCURRENCY
(workers; default 2 x cores + 1, at most 8), GUNICORN_TIMEOUT (30),
GUNICORN_GRACEFUL_TIMEOUT (30), TRUSTED_PROXIES, LOG_LEVEL.
"""

import ipaddress
import multiprocessing
import os


def _trusted_proxies() -> str:
    # Parsed like config/settings.py (host bits allowed), handed on in the strict
    # form gunicorn insists on. Empty: no peer is believed.
    networks = [item.strip() for item in os.environ.get("TRUSTED_PROXIES", "").split(",")]
    return ",".join(str(ipaddress.ip_network(net, strict=False)) for net in networks if net)


bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
forwarded_allow_ips = _trusted_proxies()
# A worker stuck longer than this is killed and restarted. The waits inside a
# request are bounded well below it (PostgreSQL connect 3 s and statement 5 s,
# Redis 1 s; config/settings.py), so a stuck dependency yields 503s, not kills.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM, workers stop accepting and get this long to finish what they hold.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)

_level = os.environ.get("LOG_LEVEL", "INFO").upper()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_api_keys": {"()": "apikeys.redaction.RedactApiKeys"},
        "redact_invitation_links": {"()": "sites.log_filters.RedactInvitationLinks"},
    },
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact_api_keys", "redact_invitation_links"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact_api_keys", "redact_invitation_links"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
    "root": {"level": _level, "handlers": ["error_console"]},
}

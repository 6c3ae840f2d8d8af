"""Loaded by pytest before Django's settings (see `addopts` in pyproject.toml): test
runs are production-like (DEBUG off) with a throwaway secret and plain HTTP allowed
for the test client and live servers. Anything already set in the environment wins,
so CI can point the same suite at PostgreSQL and Redis."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOW_PLAIN_HTTP", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests send mail to pytest-django's in-memory outbox; saying so here marks outgoing
# mail as configured (settings.EMAIL_CONFIGURED) as it would be in production.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

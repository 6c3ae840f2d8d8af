"""Shared fixtures. Access tests use three personas (after healthchecks):
alice owns team Alpha, bob is a lesser member of Alpha, charlie is an outsider
with a team of his own."""

import contextlib
import os
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.services import create_user
from apikeys.services import create_api_key
from teams.models import Role
from teams.services import add_member, create_team

pytest_plugins = ["tests.site_fixtures", "tests.ratelimit_fixtures", "tests.pg_cluster"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with empty counters (in this process's memory; the Redis
    tests install their own limiter with their own key prefix)."""
    from api.ratelimit import LocalRateLimiter, set_rate_limiter
    from apikeys.principal_cache import forget_all
    from apikeys.throttling import forget_refusals

    set_rate_limiter(LocalRateLimiter())
    forget_all()
    forget_refusals()
    yield
    set_rate_limiter(None)
    forget_all()
    forget_refusals()


@pytest.fixture(autouse=True)
def _fresh_sign_in_counters(settings):
    """Failed sign-in counters (accounts.throttle, django-ratelimit in the cache)
    under a key prefix of this test's own: nothing leaks between tests, and
    nothing is flushed from a Redis that other runs share."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each run its own test database name so suites can run side by side
    against one PostgreSQL server."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"].endswith("sqlite3"):
            continue
        db.setdefault("TEST", {})
        db["TEST"]["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


@pytest.fixture
def alice(db):
    return create_user(email="alice@example.com", password="alice-password-1")


@pytest.fixture
def bob(db):
    return create_user(email="bob@example.com", password="bob-password-1")


@pytest.fixture
def charlie(db):
    return create_user(email="charlie@example.com", password="charlie-password-1")


@pytest.fixture
def alpha(alice, bob):
    team = create_team(name="Alpha", owner=alice)
    add_member(team=team, user=bob, role=Role.VIEWER)
    return team


@pytest.fixture
def charlies_team(charlie):
    return create_team(name="Charlie's", owner=charlie)


@pytest.fixture
def issue_key():
    """issue_key(user, team=None, scopes=None, **kw) -> raw key"""

    def issue(user, team=None, scopes=None, **kwargs):
        kwargs.setdefault("name", "test key")
        return create_api_key(user=user, team=team, scopes=scopes, **kwargs).raw_key

    return issue


class KeyClient(APIClient):
    """An API client that sends a key the way integrators do."""

    def with_key(self, raw_key: str, header: str = "bearer") -> "KeyClient":
        """A new client sending `raw_key`, so one test can hold several keys."""
        client = KeyClient()
        if header == "bearer":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        else:
            client.credentials(HTTP_X_API_KEY=raw_key)
        return client


@pytest.fixture
def api():
    return KeyClient()


@pytest.fixture
def make_site():
    from sites.services import create_site

    def make(team, domain, **kwargs):
        return create_site(team=team, domain=domain, **kwargs)

    return make


TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def query_budget():
    """query_budget(n): at most n data statements, like `django_assert_max_num_queries`
    but without transaction control. Each test runs inside a transaction, which turns
    a service's BEGIN/COMMIT (invisible to the query log on PostgreSQL) into logged
    savepoints, and SQLite's driver logs its BEGIN; counting those would make the
    budget depend on the test harness and the backend rather than on our code."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextlib.contextmanager
    def budget(limit: int):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        statements = [q["sql"] for q in captured.captured_queries]
        counted = [sql for sql in statements if not sql.upper().startswith(TRANSACTION_CONTROL)]
        captured.counted = counted
        assert len(counted) <= limit, f"{len(counted)} queries, budget {limit}:\n" + "\n".join(
            counted
        )

    return budget


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files(tmp_path_factory):
    """Production settings serve hashed static files through whitenoise, which needs
    `collectstatic`. Each run collects into its own directory."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    call_command("collectstatic", "--noinput", verbosity=0)

"""A database that cannot be reached is a 503 with Retry-After in the dialect's
error shape, logged as one line, never a 500 with a traceback per request.

The outage is real: the connection is pointed at a PostgreSQL port where nothing
listens, so the driver itself fails to connect."""

import contextlib
import logging

import pytest
from django.db import connection

from api.outages import DATABASE_UNAVAILABLE
from tests.ratelimit_fixtures import free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: the test SQLite database lives in memory and cannot go away",
    ),
]


@contextlib.contextmanager
def database_down(tmp_path):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def site_key(alice, alpha, make_site, issue_key):
    make_site(alpha, "alpha.test")
    return issue_key(alice, team=alpha, scopes=["sites:provision:*"])


def outage_records(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_site_read_while_the_database_is_down_is_a_503(api, site_key, tmp_path, caplog):
    client = api.with_key(site_key)
    with database_down(tmp_path), caplog.at_level(logging.WARNING):
        response = client.get("/api/v1/sites/alpha.test")
    assert response.status_code == 503
    assert response.json() == {"error": DATABASE_UNAVAILABLE}
    assert response["Retry-After"] == "5"
    # One line, naming no internals in the body, without a traceback.
    records = outage_records(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    assert records[0].name == "api.outages" and records[0].exc_info is None
    assert "OperationalError" in records[0].getMessage()
    # And the next request, with the database back, is served.
    assert client.get("/api/v1/sites/alpha.test").status_code == 200


def test_a_write_while_the_database_is_down_is_a_503_and_writes_nothing(api, site_key, tmp_path):
    from sites.models import Site

    client = api.with_key(site_key)
    with database_down(tmp_path):
        response = client.post("/api/v1/sites", {"domain": "new.test"}, format="json")
    assert response.status_code == 503
    assert not Site.objects.filter(domain="new.test").exists()


def test_the_resource_dialect_keeps_its_envelope(api, site_key, tmp_path):
    client = api.with_key(site_key)
    with database_down(tmp_path):
        response = client.get("/api/v1/analytics/sites")
    assert response.status_code == 503
    assert response.json() == {"error": {"message": DATABASE_UNAVAILABLE}}


def test_a_page_outside_the_api_is_a_plain_503(client, db, tmp_path, caplog):
    client.raise_request_exception = False  # the real handler answers, as in production
    with database_down(tmp_path), caplog.at_level(logging.WARNING):
        response = client.get("/share/alpha.test?auth=whatever")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert DATABASE_UNAVAILABLE in response.content.decode()
    records = outage_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None


def test_other_unexpected_errors_stay_500(api, site_key, monkeypatch):
    from sites import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "_site_body", broken)
    client = api.with_key(site_key)
    client.raise_request_exception = False
    answer = client.get("/api/v1/sites/alpha.test")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal server error"}

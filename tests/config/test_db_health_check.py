"""The connection health check (config/db/postgresql) costs no round trip and
still notices a connection the server has closed, so a restarted database does
not hand the next request a dead connection."""

import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def terminate(pid: int) -> None:
    """What a server restart does to a backend: FATAL message, socket closed."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def live_connection():
    connection.ensure_connection()
    yield connection
    connection.close()


def test_the_backend_is_ours():
    assert type(connections["default"]).__module__ == "config.db.postgresql.base"


def test_a_healthy_idle_connection_is_usable_without_a_query(live_connection, monkeypatch):
    raw = live_connection.connection

    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(raw, "cursor", no_query)
    monkeypatch.setattr(raw, "execute", no_query)
    assert live_connection.is_usable()


def test_a_connection_the_server_closed_is_not_usable(live_connection):
    with live_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    terminate(pid)
    deadline = time.monotonic() + 5
    while live_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not live_connection.is_usable()


def test_the_next_request_gets_a_fresh_connection(live_connection):
    """Django asks is_usable() before a request's first query: a terminated
    backend is replaced, and the query succeeds."""
    with live_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (old_pid,) = cursor.fetchone()
    terminate(old_pid)
    time.sleep(0.2)
    live_connection.health_check_done = False  # a new request begins
    with CaptureQueriesContext(live_connection), live_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != old_pid


def test_an_open_transaction_is_not_trusted(live_connection):
    live_connection.connection.execute("BEGIN")
    try:
        assert not live_connection.is_usable()
    finally:
        live_connection.connection.execute("ROLLBACK")

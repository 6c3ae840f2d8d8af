"""The private PostgreSQL cluster the fault tests stop and start: it keeps what
was committed across a restart, on the same port, and a machine without the
binaries skips it, except in a run that requires every dependency test."""

import psycopg
import pytest

from tests import pg_cluster
from tests.pg_cluster import OwnPostgres


@pytest.mark.e2e
def test_a_restarted_cluster_serves_committed_rows_on_the_same_url(own_postgres):
    with own_postgres.connect() as connection:
        connection.execute("CREATE TABLE kept (value int)")
        connection.execute("INSERT INTO kept VALUES (1)")
    own_postgres.stop()
    with pytest.raises(psycopg.OperationalError):
        own_postgres.connect()
    own_postgres.restart(down_for=0)
    with own_postgres.connect() as connection:
        assert connection.execute("SELECT value FROM kept").fetchall() == [(1,)]
        address = connection.execute("SELECT inet_server_addr()::text").fetchone()[0]
    assert address == "127.0.0.1/32"


def test_without_the_binaries_a_local_run_skips(monkeypatch, tmp_path):
    monkeypatch.setattr(pg_cluster, "postgres_bindir", lambda: None)
    monkeypatch.delenv("REQUIRE_REDIS_TESTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="initdb"):
        OwnPostgres(tmp_path)


def test_without_the_binaries_a_run_that_requires_them_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(pg_cluster, "postgres_bindir", lambda: None)
    monkeypatch.setenv("REQUIRE_REDIS_TESTS", "1")
    with pytest.raises(pytest.fail.Exception, match="initdb"):
        OwnPostgres(tmp_path)

"""A SIGTERM to gunicorn's master while clients write: workers finish the
requests they hold and answer them, the rest are refused at the door, and every
create that was answered 200 is in the database afterwards, whole. The database
is a private PostgreSQL cluster, as in production."""

import signal
import time

import pytest

from tests.e2e.traffic import (
    CREATE,
    Traffic,
    claimed_domains,
    provision_team_key,
    stored_sites,
    write_problems,
)
from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e

WRITERS = 4
GRACEFUL_TIMEOUT_SECONDS = 20


def test_a_sigterm_mid_stream_loses_no_acknowledged_write(own_postgres, tmp_path):
    env = {"DATABASE_URL": own_postgres.url, "REDIS_URL": ""}
    with gunicorn_server(
        tmp_path,
        workers=2,
        env=env,
        collect_static=False,
        gunicorn_args=["--graceful-timeout", str(GRACEFUL_TIMEOUT_SECONDS)],
    ) as server:
        key = provision_team_key(server)
        with Traffic(server.url, key, tag="term", writers=WRITERS) as traffic:
            time.sleep(1.5)
            terminated_at = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT_SECONDS + 10)
            stopped_at = time.monotonic()
            time.sleep(0.5)  # writers keep knocking on a closed door
    assert exit_code == 0

    creates = [e for e in traffic.exchanges if e.kind == CREATE]
    acknowledged = [e for e in creates if e.status == 200]
    finished_in_flight = [e for e in acknowledged if e.finished > terminated_at]
    turned_away = [e for e in creates if not e.answered]
    assert {e.status for e in traffic.exchanges if e.answered} == {200}
    # Mid-stream: writes were served, some were held at the signal and still
    # answered, and later ones were refused.
    assert acknowledged and finished_in_flight and turned_away

    with own_postgres.connect() as connection:
        stored = stored_sites(connection, "term")
        claimed = claimed_domains(connection, "term")
    assert write_problems(traffic.exchanges, stored, claimed, unanswered_must_be_absent=True) == []
    assert len(stored) == len(acknowledged)
    print(
        f"\nSIGTERM: {len(acknowledged)} creates acknowledged and stored, "
        f"{len(finished_in_flight)} of them answered after the signal, "
        f"{len(turned_away)} refused ({sum(e.started < terminated_at for e in turned_away)} "
        f"sent before it); shutdown took {stopped_at - terminated_at:.2f} s"
    )

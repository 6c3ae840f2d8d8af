"""A SIGTERM to gunicorn's master while clients write: workers finish the
requests they hold and answer them, the rest are refused at the door, and every
create that was answered 200 is in the database afterwards, whole. The database
is a private PostgreSQL cluster, as in production."""

import json
import signal
import socket
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
HELD_DOMAIN = "held-1.faults.test"


def start_held_create(url: str, key: str) -> tuple[socket.socket, bytes]:
    """A create whose body is only half sent: a worker holds it (the body is read
    after the key is verified) until the rest arrives, so a request is certainly
    in flight when the signal comes, however fast the others are."""
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"domain": HELD_DOMAIN}).encode()
    head = (
        f"POST /api/v1/sites HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    held = socket.create_connection((host, int(port)), timeout=30)
    held.sendall(head + body[:5])
    return held, body[5:]


def finish_held_create(held: socket.socket, rest: bytes) -> int:
    with held:
        held.sendall(rest)
        answer = b""
        while chunk := held.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


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
            held, rest = start_held_create(server.url, key)
            time.sleep(0.3)  # a worker has read the headers and verified the key
            terminated_at = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)  # the workers know they are stopping
            held_status = finish_held_create(held, rest)
            exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT_SECONDS + 10)
            stopped_at = time.monotonic()
            time.sleep(0.5)  # writers keep knocking on a closed door
    assert exit_code == 0

    creates = [e for e in traffic.exchanges if e.kind == CREATE]
    acknowledged = [e for e in creates if e.status == 200]
    finished_in_flight = [e for e in acknowledged if e.finished > terminated_at]
    turned_away = [e for e in creates if not e.answered]
    assert {e.status for e in traffic.exchanges if e.answered} == {200}
    # Mid-stream: writes were served, the one held at the signal was still
    # answered (and others may have been), and later ones were refused.
    assert acknowledged and turned_away
    assert held_status == 200

    with own_postgres.connect() as connection:
        stored = stored_sites(connection, "term")
        claimed = claimed_domains(connection, "term")
        held_stored = stored_sites(connection, "held")
    assert write_problems(traffic.exchanges, stored, claimed, unanswered_must_be_absent=True) == []
    assert len(stored) == len(acknowledged)
    assert HELD_DOMAIN in held_stored and held_stored[HELD_DOMAIN].claimed
    print(
        f"\nSIGTERM: {len(acknowledged)} creates acknowledged and stored, "
        f"{len(finished_in_flight)} of them answered after the signal, "
        f"{len(turned_away)} refused ({sum(e.started < terminated_at for e in turned_away)} "
        f"sent before it); shutdown took {stopped_at - terminated_at:.2f} s"
    )

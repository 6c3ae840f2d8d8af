"""PostgreSQL restarting and Redis stopping, under concurrent writers and readers,
against gunicorn with production settings: clients see 200 or a 503 with
Retry-After (never another 5xx), every acknowledged write is in the database and
whole, no refused write left a row, and service is back within 2 s of the
dependency's return. The cluster and the redis-server are the test's own."""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.traffic import (
    Traffic,
    call,
    claimed_domains,
    first_success_after,
    provision_team_key,
    statuses_between,
    stored_sites,
    unexpected_answers,
    write_problems,
)
from tests.pg_cluster import OwnPostgres, running_postgres
from tests.ratelimit_fixtures import OwnRedis
from tests.servers import RunningServer, gunicorn_server

pytestmark = pytest.mark.e2e

WRITERS, READERS = 3, 3
DOWN_FOR = 1.5  # seconds the dependency stays away
RECOVERY_BUDGET = 2.0  # seconds from its return to the first 200
KNOWN_DOMAIN = "known.faults.test"
# The one line a refused request logs (api.outages, api.ratelimit).
OUTAGE_LINE = re.compile(
    r"api\.outages: Database unavailable|api\.ratelimit: Rate limiting unavailable"
)


@dataclass
class Stack:
    server: RunningServer
    postgres: OwnPostgres
    redis: OwnRedis
    key: str
    log: Path

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("faults")
    with running_postgres(workdir) as postgres:
        redis = OwnRedis(workdir)
        redis.start()
        env = {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "CACHE_KEY_PREFIX": "faults",
        }
        try:
            with gunicorn_server(workdir, workers=2, env=env, collect_static=False) as server:
                key = provision_team_key(server)
                known = call(server.url, key, "seed", KNOWN_DOMAIN, "POST", "/api/v1/sites",
                             {"domain": KNOWN_DOMAIN})  # fmt: skip
                assert known.status == 200, known
                yield Stack(server, postgres, redis, key, workdir / "gunicorn.log")
        finally:
            redis.stop()


def run_outage(stack: Stack, tag: str, outage) -> tuple[Traffic, float, float, str]:
    """Traffic before, during and after `outage()`, which takes the dependency
    away and returns (when it went away, when it was back); and the server's log
    of that time."""
    offset = stack.log_size()
    with Traffic(
        stack.server.url,
        stack.key,
        tag=tag,
        writers=WRITERS,
        readers=READERS,
        known_domain=KNOWN_DOMAIN,
    ) as traffic:
        time.sleep(1.0)
        went, back = outage()
        time.sleep(RECOVERY_BUDGET + 1.0)
    return traffic, went, back, stack.log_since(offset)


def assert_outage_was_survived(
    stack: Stack, traffic: Traffic, tag: str, went: float, back: float, log: str
) -> float:
    exchanges = traffic.exchanges
    unanswered = [e for e in exchanges if not e.answered]
    assert not unanswered, [f"{e.kind} {e.domain}: {e.error}" for e in unanswered[:5]]
    assert unexpected_answers(exchanges) == []
    # The fault was felt (or the test proves nothing) ...
    assert 503 in statuses_between(exchanges, went, back), "no request met the outage"
    # One log line per refused request, without a traceback.
    assert "Traceback" not in log and "Service Unavailable" not in log
    assert len(OUTAGE_LINE.findall(log)) == sum(e.status == 503 for e in exchanges)
    # ... and the database agrees with every answer.
    with stack.postgres.connect() as connection:
        stored = stored_sites(connection, tag)
        claimed = claimed_domains(connection, tag)
    assert write_problems(exchanges, stored, claimed) == []
    acknowledged = sum(e.kind == "create" and e.status == 200 for e in exchanges)
    assert acknowledged > 0
    recovery = first_success_after(exchanges, back)
    assert recovery is not None and recovery <= RECOVERY_BUDGET, recovery
    print(
        f"\n{tag}: {len(exchanges)} requests, {acknowledged} sites acknowledged, "
        f"{sum(e.status == 503 for e in exchanges)} answered 503, "
        f"first 200 {recovery:.3f} s after the dependency was back"
    )
    return recovery


def test_a_postgresql_restart_under_load_is_only_503s_and_loses_no_acknowledged_write(
    stack, record_property
):
    def restart_postgres():
        went = time.monotonic()
        back = stack.postgres.restart(down_for=DOWN_FOR)
        return went, back

    traffic, went, back, log = run_outage(stack, "pg", restart_postgres)
    recovery = assert_outage_was_survived(stack, traffic, "pg", went, back, log)
    record_property("postgres_recovery_seconds", round(recovery, 3))


def test_a_redis_outage_under_load_is_only_503s_and_loses_no_acknowledged_write(
    stack, record_property
):
    def stop_redis():
        went = time.monotonic()
        stack.redis.stop()
        time.sleep(DOWN_FOR)
        stack.redis.start()
        return went, time.monotonic()

    traffic, went, back, log = run_outage(stack, "redis", stop_redis)
    recovery = assert_outage_was_survived(stack, traffic, "redis", went, back, log)
    record_property("redis_recovery_seconds", round(recovery, 3))

"""Rate limits hold across gunicorn workers and across app servers: two servers
(3 and 2 workers) share one database and one Redis, and 50 threads x 20 requests
against a limit of 100 let exactly 100 through."""

import http.client
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.ratelimit_fixtures import redis_client, require_redis
from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e

THREADS, REQUESTS_EACH, LIMIT = 50, 20, 100
DAY = 86400


def hammer(urls: list[str], key: str) -> Counter:
    statuses: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        target = urlsplit(urls[index % len(urls)])
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        seen = []
        try:
            barrier.wait()
            for _ in range(REQUESTS_EACH):
                connection.request(
                    "GET", "/api/v1/sites/teams", headers={"Authorization": f"Bearer {key}"}
                )
                response = connection.getresponse()
                response.read()
                seen.append(response.status)
        finally:
            connection.close()
            with lock:
                statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_exactly_the_limit_passes_across_workers_and_servers(tmp_path):
    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    shared = {
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": prefix,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
    }
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    try:
        with (
            gunicorn_server(tmp_path / "a", workers=3, env=shared) as first,
            gunicorn_server(tmp_path / "b", workers=2, env=shared) as second,
        ):
            first.manage("create_user", "ops@example.com")
            team = first.manage("create_team", "Busy", "--owner", "ops@example.com")
            # The whole budget in one burst window of a day, so the run cannot
            # straddle a window boundary unless it crosses midnight UTC.
            first.manage(
                "set_team_entitlements",
                team,
                "--burst-limit",
                str(LIMIT),
                "--burst-period",
                str(DAY),
                "--hourly-limit",
                "1000000",
            )
            key = first.manage("create_api_key", "ops@example.com", "--team", team)
            day = int(time.time() // DAY)
            statuses = hammer([first.url, second.url], key)
            if int(time.time() // DAY) != day:
                pytest.skip("the run crossed midnight UTC, a burst window boundary")
        assert statuses == Counter({200: LIMIT, 429: THREADS * REQUESTS_EACH - LIMIT})
    finally:
        client = redis_client()
        for stale in client.scan_iter(f"{prefix}:*"):
            client.delete(stale)


def test_without_redis_the_server_says_it_counts_per_process(tmp_path):
    with gunicorn_server(tmp_path, workers=1, env={"REDIS_URL": ""}):
        pass
    log = (tmp_path / "gunicorn.log").read_text()
    assert log.count("rate limits are counted per process") == 1

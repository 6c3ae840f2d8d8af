"""When Redis is unreachable: fail closed (503, the default) or fail open (serve,
warn once a minute), never a 500; and recovery without restarting the app."""

import logging
import os
import socket
import threading
import time

import pytest

from api.ratelimit import (
    UNAVAILABLE_MESSAGE,
    Bucket,
    RateLimitUnavailable,
    RedisRateLimiter,
    set_rate_limiter,
)
from tests.ratelimit_fixtures import REDIS_HOST, REDIS_PORT, free_port, redis_client

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_client(api, alice, alpha, issue_key):
    return api.with_key(issue_key(alice, team=alpha))


@pytest.fixture
def unreachable_redis(team_client):
    """After the key and its team are written (writing them needs Redis)."""
    set_rate_limiter(RedisRateLimiter(redis_client(port=free_port()), prefix="nowhere"))


def test_it_fails_closed_by_default(unreachable_redis, team_client, settings):
    assert settings.RATELIMIT_FAIL_OPEN is False
    response = team_client.get(TEAMS)
    assert response.status_code == 503
    assert response.json() == {"error": UNAVAILABLE_MESSAGE}
    assert response["Retry-After"]


def test_failing_open_serves_and_warns_once_a_minute(
    unreachable_redis, team_client, settings, caplog
):
    settings.RATELIMIT_FAIL_OPEN = True
    from api import ratelimit

    ratelimit._warn_fail_open.last = 0.0
    with caplog.at_level(logging.WARNING, logger="api.ratelimit"):
        assert [team_client.get(TEAMS).status_code for _ in range(3)] == [200] * 3
    warnings = [r for r in caplog.records if "serving without limits" in r.getMessage()]
    assert len(warnings) == 1
    assert "RateLimit" not in team_client.get(TEAMS)


def test_redis_stopped_mid_run_and_started_again(own_redis, team_client, settings):
    limiter = RedisRateLimiter(redis_client(port=own_redis.port), prefix="fault")
    set_rate_limiter(limiter)
    assert team_client.get(TEAMS).status_code == 200

    own_redis.stop()
    down = team_client.get(TEAMS)
    assert down.status_code == 503 and down.json() == {"error": UNAVAILABLE_MESSAGE}
    settings.RATELIMIT_FAIL_OPEN = True
    assert team_client.get(TEAMS).status_code == 200
    settings.RATELIMIT_FAIL_OPEN = False

    own_redis.start()  # same port, same limiter object: no restart of the app
    back = team_client.get(TEAMS)
    assert back.status_code == 200
    assert "RateLimit" in back


def test_a_request_refused_for_want_of_redis_logs_one_line_not_two(
    unreachable_redis, team_client, caplog
):
    """Every request meets the outage: a second, django.request "Service
    Unavailable" line per request doubled the log of an outage."""
    with caplog.at_level(logging.INFO):
        assert team_client.get(TEAMS).status_code == 503
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["api.ratelimit"], [r.getMessage() for r in lines]
    assert lines[0].exc_info is None


class ReplyDroppingProxy:
    """A TCP proxy in front of the suite's Redis that can lose one reply to a
    counting script: the server ran it, then the client's connection broke."""

    def __init__(self):
        self.listener = socket.create_server((REDIS_HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.drop_next_script_reply = False
        self.dropped = 0
        self._script_sent: set[int] = set()
        # Seconds to hold the next script reply back (then it is delivered).
        self.delay_next_script_reply = 0.0
        self._delayed: set[int] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((REDIS_HOST, REDIS_PORT))
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._replies, args=(upstream, client), daemon=True).start()

    def _requests(self, client, upstream) -> None:
        while data := _recv(client):
            if self.drop_next_script_reply and b"EVALSHA" in data.upper():
                self.drop_next_script_reply = False
                self._script_sent.add(id(upstream))
            if self.delay_next_script_reply and b"EVALSHA" in data.upper():
                self._delayed.add(id(upstream))
            upstream.sendall(data)
        upstream.close()

    def _replies(self, upstream, client) -> None:
        while data := _recv(upstream):
            if id(upstream) in self._script_sent:
                self.dropped += 1
                client.shutdown(socket.SHUT_RDWR)
                break
            if id(upstream) in self._delayed:
                self._delayed.discard(id(upstream))
                time.sleep(self.delay_next_script_reply)
                self.delay_next_script_reply = 0.0
            try:
                client.sendall(data)
            except OSError:
                break
        client.close()
        upstream.close()


def _recv(sock) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@pytest.mark.parametrize("with_work_meanwhile", [False, True])
def test_a_count_sent_again_after_a_broken_connection_is_counted_once(
    redis_prefix, with_work_meanwhile
):
    """The client re-sends a call whose connection broke (config.redis_retry, or
    the limiter itself when it ran other work while waiting); the script had
    run, so the once-key answers it without counting again."""
    proxy = ReplyDroppingProxy()
    done = []
    meanwhile = (lambda: done.append("read")) if with_work_meanwhile else None
    try:
        limiter = RedisRateLimiter(redis_client(port=proxy.port), prefix=redis_prefix)
        bucket = Bucket("once", 100, 100, 60)
        assert limiter.hit(bucket).hourly.count == 1
        proxy.drop_next_script_reply = True
        usage = limiter.hit(bucket, meanwhile=meanwhile)
        assert proxy.dropped == 1, "the reply was not lost: nothing was re-sent"
        assert (usage.hourly.count, usage.burst.count) == (2, 2)
        assert limiter.hit(bucket).hourly.count == 3
        assert done == (["read"] if with_work_meanwhile else [])
    finally:
        proxy.stop()


@pytest.mark.parametrize("with_work_meanwhile", [False, True])
def test_an_answer_that_came_too_late_is_nobody_elses(redis_prefix, with_work_meanwhile):
    """A timeout is not retried (the server may still be counting); the late
    answer must not be read as the next call's."""
    proxy = ReplyDroppingProxy()
    meanwhile = (lambda: None) if with_work_meanwhile else None
    try:
        limiter = RedisRateLimiter(redis_client(port=proxy.port), prefix=redis_prefix)
        bucket = Bucket("late", 100, 100, 60)
        assert limiter.hit(bucket).hourly.count == 1
        proxy.delay_next_script_reply = 1.5  # the client's socket timeout is 1 s
        with pytest.raises(RateLimitUnavailable):
            limiter.hit(bucket, meanwhile=meanwhile)
        time.sleep(0.7)  # the late answer has arrived by now
        assert limiter.hit(bucket, meanwhile=meanwhile).hourly.count == 3
    finally:
        proxy.stop()


def test_work_meanwhile_that_fails_leaves_the_count_standing(redis_prefix):
    """What runs while the script does is only done early: its failure is the
    caller's to meet again, the count is as if nothing had run."""
    limiter = RedisRateLimiter(redis_client(), prefix=redis_prefix)
    bucket = Bucket("aside", 100, 100, 60)

    def failing():
        raise RuntimeError("the database went away")

    assert limiter.hit(bucket, meanwhile=failing).hourly.count == 1
    assert limiter.hit(bucket).hourly.count == 2


def test_a_forked_worker_counts_on_its_own_connection_and_once_keys(redis_prefix):
    """gunicorn forks its workers from a master: a child that used its parent's
    socket would read answers meant for the parent, and one that drew the
    parent's once-keys could take a parent's call for its own retry."""
    from api import ratelimit

    limiter = RedisRateLimiter(redis_client(), prefix=redis_prefix)
    bucket = Bucket("fork", 100, 100, 60)
    assert limiter.hit(bucket).hourly.count == 1
    parent = (id(limiter._own.connection()), ratelimit._once_id()[:16])
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count once, report, and leave without pytest's teardown
        try:
            count = limiter.hit(bucket).hourly.count
            child = (id(limiter._own.connection()), ratelimit._once_id()[:16])
            os.write(write_end, repr((count, child != parent, child[1] != parent[1])).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as reply:
        count, other_connection, other_once_keys = eval(reply.read())  # noqa: S307 (ours)
    assert count == 2
    assert other_connection and other_once_keys
    assert limiter.hit(bucket).hourly.count == 3, "the parent's connection was disturbed"

"""Rate-limit test helpers: a controllable clock, a real Redis (own key prefix,
cleaned up), and a redis-server of the test's own on a free port for fault tests."""

import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from api.ratelimit import LocalRateLimiter, RedisRateLimiter, set_rate_limiter

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# An hour boundary, so tests know exactly where windows start and end.
EPOCH_ALIGNED = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = EPOCH_ALIGNED):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def redis_reachable(host: str = REDIS_HOST, port: int = REDIS_PORT) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def missing_dependency(message: str) -> None:
    """Skip a test whose server is missing, except in runs that promise them all
    (CI's PostgreSQL job sets REQUIRE_REDIS_TESTS=1): there a skip would hide it."""
    if os.environ.get("REQUIRE_REDIS_TESTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_redis() -> None:
    if not redis_reachable():
        missing_dependency(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")


def redis_client(port: int = REDIS_PORT):
    """Configured like the app's (config/settings.py): short timeouts, one retry."""
    import redis

    from config.redis_retry import retry_a_broken_connection_once

    return redis.Redis(
        host=REDIS_HOST,
        port=port,
        socket_connect_timeout=1,
        socket_timeout=1,
        retry=retry_a_broken_connection_once(),
    )


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its keys are deleted afterwards."""
    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis_client()
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["redis", "local"])
def limiter(request, clock):
    """The installed limiter, on a real Redis and in process memory."""
    if request.param == "redis":
        prefix = request.getfixturevalue("redis_prefix")
        installed = RedisRateLimiter(redis_client(), prefix=prefix, clock=clock)
    else:
        installed = LocalRateLimiter(clock=clock)
    set_rate_limiter(installed)
    return installed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((REDIS_HOST, 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server process of the test's own, which it may stop and start."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.tmp_path = tmp_path
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            missing_dependency("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                REDIS_HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_reachable(port=self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request, settings):
    """The cache django-ratelimit's counters live in: this process's memory, or a
    real Redis (skipped without one, unless REQUIRE_REDIS_TESTS=1) under this
    test's own prefix."""
    if request.param == "redis":
        require_redis()
        prefix = request.getfixturevalue("redis_prefix")
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://{REDIS_HOST}:{REDIS_PORT}/0",
                "KEY_PREFIX": prefix,
            }
        }
    return request.param


@pytest.fixture
def unreachable_cache(settings):
    """A Redis cache where nothing listens: every counter read or write fails."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://{REDIS_HOST}:{free_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }

"""The rate limiter: hourly and burst counters per budget (a Bucket), shared by
every process and host through Redis, with Plausible's exact refusal messages
(docs/plausible-compat.md#rate-limits). Whose budget a request spends is not
decided here: a team's (teams.rate_limits), a legacy key's user's
(apikeys.throttling), or the team owning the site a legacy key names
(sites.reach). The DRF throttle over it is apikeys.throttling.

Fixed windows aligned to the Unix epoch; the window index is part of the counter
key, so a new window is a new counter and nothing needs resetting. Both windows
are counted in one atomic Redis script (one round trip, no database query): the
hourly counter always moves, the burst counter only when the hourly limit let the
request through, as Plausible does. Without Redis (`make run`), the same rules
count in this process's memory.
"""

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from api.errors import ServiceError

logger = logging.getLogger(__name__)

HOURLY_WINDOW = 3600
HOURLY_MESSAGE = (
    "Too many API requests. The limit is {limit} per hour. "
    "Please contact us to request more capacity."
)
BURST_MESSAGE = (
    "Too many API requests in a short period of time. The limit is {limit} per "
    "{period} seconds. Please throttle your requests."
)
UNAVAILABLE_MESSAGE = (
    "Rate limiting is temporarily unavailable, so the request was not served. Please retry shortly."
)


@dataclass(frozen=True)
class Bucket:
    """Whose budget a request spends, and how big it is."""

    key: str
    hourly_limit: int
    burst_limit: int
    burst_period: int


@dataclass(frozen=True)
class WindowUsage:
    name: str  # "hourly" or "burst"
    limit: int
    window: int  # seconds
    count: int  # after this request (0 if not counted)
    reset: int  # whole seconds until the window ends, at least 1

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


@dataclass(frozen=True)
class Usage:
    hourly: WindowUsage
    burst: WindowUsage

    @property
    def refusal(self) -> WindowUsage | None:
        if self.hourly.exceeded:
            return self.hourly
        if self.burst.exceeded:
            return self.burst
        return None

    @property
    def message(self) -> str:
        refused = self.refusal
        if refused is self.hourly:
            return HOURLY_MESSAGE.format(limit=self.hourly.limit)
        return BURST_MESSAGE.format(limit=self.burst.limit, period=self.burst.window)


class RateLimitUnavailable(ServiceError):
    """The shared counter store cannot be reached: a 503 with Retry-After, logged
    here (count_request), not again by django.request."""

    status_code = 503
    dependency_outage = True

    def __init__(self, reason: str):
        super().__init__(UNAVAILABLE_MESSAGE)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def _window(now: float, length: int) -> tuple[int, int]:
    """(window index, whole seconds until it ends, at least 1)."""
    index = math.floor(now / length)
    reset = math.ceil((index + 1) * length - now)
    return index, max(reset, 1)


# KEYS: hourly counter, burst counter. ARGV: hourly limit, hourly ttl, burst ttl.
# Returns {hourly count, burst count (0 when not counted)}.
_SCRIPT = """
local hourly = redis.call('INCR', KEYS[1])
if hourly == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if hourly > tonumber(ARGV[1]) then return {hourly, 0} end
local burst = redis.call('INCR', KEYS[2])
if burst == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return {hourly, burst}
"""


class RateLimiter:
    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock

    def _count(self, hourly_key: str, burst_key: str, bucket: Bucket, ttls: tuple[int, int]):
        raise NotImplementedError

    def hit(self, bucket: Bucket) -> Usage:
        now = self.clock()
        hourly_index, hourly_reset = _window(now, HOURLY_WINDOW)
        burst_index, burst_reset = _window(now, bucket.burst_period)
        hourly_key = f"rl:{bucket.key}:h:{hourly_index}"
        burst_key = f"rl:{bucket.key}:b{bucket.burst_period}:{burst_index}"
        hourly_count, burst_count = self._count(
            hourly_key, burst_key, bucket, (hourly_reset + 1, burst_reset + 1)
        )
        return Usage(
            hourly=WindowUsage(
                "hourly", bucket.hourly_limit, HOURLY_WINDOW, hourly_count, hourly_reset
            ),
            burst=WindowUsage(
                "burst", bucket.burst_limit, bucket.burst_period, burst_count, burst_reset
            ),
        )


class RedisRateLimiter(RateLimiter):
    """Counts in Redis, shared by every process and host using the same server and
    key prefix."""

    def __init__(self, client, *, prefix: str, clock: Callable[[], float] = time.time):
        super().__init__(clock=clock)
        self.client = client
        self.prefix = prefix
        self.script = client.register_script(_SCRIPT)

    def _count(self, hourly_key, burst_key, bucket, ttls):
        from redis.exceptions import RedisError

        keys = [f"{self.prefix}:{hourly_key}", f"{self.prefix}:{burst_key}"]
        try:
            hourly, burst = self.script(keys=keys, args=[bucket.hourly_limit, *ttls])
        except RedisError as exc:
            raise RateLimitUnavailable(str(exc)) from exc
        return int(hourly), int(burst)


class LocalRateLimiter(RateLimiter):
    """Counts in this process only (no REDIS_URL): right for one development
    server, wrong for several workers, which the server says at startup."""

    def __init__(self, *, clock: Callable[[], float] = time.time):
        super().__init__(clock=clock)
        self.lock = threading.Lock()
        self.counters: dict[str, tuple[int, float]] = {}

    def _incr(self, key: str, ttl: int, now: float) -> int:
        count, expires = self.counters.get(key, (0, 0.0))
        if expires <= now:
            count = 0
        count += 1
        self.counters[key] = (count, now + ttl if count == 1 else expires)
        return count

    def _count(self, hourly_key, burst_key, bucket, ttls):
        now = self.clock()
        with self.lock:
            if len(self.counters) > 100_000:  # drop expired counters now and then
                self.counters = {k: v for k, v in self.counters.items() if v[1] > now}
            hourly = self._incr(hourly_key, ttls[0], now)
            if hourly > bucket.hourly_limit:
                return hourly, 0
            return hourly, self._incr(burst_key, ttls[1], now)


_limiter: RateLimiter | None = None
_limiter_lock = threading.Lock()


def build_rate_limiter() -> RateLimiter:
    if settings.REDIS_URL:
        from django_redis import get_redis_connection

        return RedisRateLimiter(get_redis_connection("default"), prefix=settings.CACHE_KEY_PREFIX)
    return LocalRateLimiter()


def announce_counting() -> None:
    """Said once when a server process starts (config/wsgi.py, config/asgi.py)."""
    if isinstance(rate_limiter(), LocalRateLimiter):
        logger.warning(
            "REDIS_URL is not set: rate limits are counted per process, so every worker "
            "and host allows the full limit. Set REDIS_URL to share the counters."
        )
    else:
        fail = "open" if settings.RATELIMIT_FAIL_OPEN else "closed"
        logger.info("Rate limits are counted in Redis; if it is unreachable we fail %s.", fail)


def rate_limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        with _limiter_lock:
            if _limiter is None:
                _limiter = build_rate_limiter()
    return _limiter


def set_rate_limiter(limiter: RateLimiter | None) -> None:
    """Replace the process's limiter (tests; None rebuilds it from settings)."""
    global _limiter
    _limiter = limiter


class _OncePerMinute:
    def __init__(self):
        self.last = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last >= 60:
                self.last = now
                return True
        return False


_warn_fail_open = _OncePerMinute()


def count_request(bucket: Bucket) -> Usage | None:
    """Count a request. Returns None when the store is down and the operator chose
    to fail open; raises RateLimitUnavailable when failing closed."""
    try:
        return rate_limiter().hit(bucket)
    except RateLimitUnavailable as exc:
        if not settings.RATELIMIT_FAIL_OPEN:
            logger.error("Rate limiting unavailable, refusing the request: %s", exc)
            raise
        if _warn_fail_open():
            logger.warning("Rate limiting unavailable, serving without limits: %s", exc)
        return None


def policy_header(usage: Usage) -> str:
    """`RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers)."""
    return ", ".join(
        f'"{window.name}";q={window.limit};w={window.window}'
        for window in (usage.hourly, usage.burst)
    )


def nearest_window(usage: Usage) -> WindowUsage:
    """The policy nearest to running out: fewest remaining, then the longest wait."""
    return min((usage.hourly, usage.burst), key=lambda w: (w.remaining, -w.reset))


def rate_limit_header(usage: Usage) -> str:
    window = usage.refusal or nearest_window(usage)
    return f'"{window.name}";r={window.remaining};t={window.reset}'

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

The same script also checks **stamps** (`Stamps`): values in Redis that stand
for "what this read depended on has not changed since" (apikeys.principal_cache
keeps principals in memory on that promise). A caller names stamp keys and the
values it saw; if any differs, nothing is counted and `StampsChanged` says what
they are now. `invalidate` deletes stamp keys when what they stand for changes;
the script gives a missing one a new value never used before (the server's
clock and a counter), so a stamp can not come back to an old value: not after a
change, not after an eviction, not after Redis restarted empty.
"""

import functools
import itertools
import logging
import math
import os
import secrets
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
    # The stamps' values when the request was counted (`Stamps.keys` order).
    stamps: tuple[str, ...] = ()

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


@dataclass(frozen=True)
class Stamps:
    """Stamp keys to read in the counting script, and the values the caller last
    saw (`expected`; None: count whatever they are, and say what they are)."""

    keys: tuple[str, ...]
    expected: tuple[str, ...] | None = None


class StampsChanged(Exception):
    """A stamp is not what the caller expected: the request was not counted."""

    def __init__(self, current: tuple[str, ...]):
        super().__init__("stamps changed")
        self.current = current


# How long an unchanged stamp lives; a stamp that expired is simply a new one.
STAMP_TTL = 86400


def _window(now: float, length: int) -> tuple[int, int]:
    """(window index, whole seconds until it ends, at least 1)."""
    index = math.floor(now / length)
    reset = math.ceil((index + 1) * length - now)
    return index, max(reset, 1)


# KEYS: hourly counter, burst counter, stamp clock, this call's once-key, then
# the stamps.
# ARGV: hourly limit, hourly ttl, burst ttl, stamp ttl, whether the stamps are
# checked ("1") or only read ("0"), then the expected stamp values.
# The clock lives as long as stamps are made (a fresh one after a quiet day
# restarts its count, but in a later second than any stamp it made).
# The once-key is unique to a call: the client re-sends a call whose connection
# broke (settings: Retry on ConnectionError), and a call the server had already
# counted before the break is then answered with the counts, not counted again.
# Returns {hourly count, burst count (0 when not counted), stamp values...};
# {-1, -1, stamp values...} when a checked stamp differed (nothing counted).
_SCRIPT = """
local stamps, changed = {}, false
for i = 5, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if not value then
    value = redis.call('TIME')[1] .. '-' .. redis.call('INCR', KEYS[3])
    redis.call('EXPIRE', KEYS[3], ARGV[4])
    redis.call('SET', KEYS[i], value, 'EX', ARGV[4])
  end
  stamps[#stamps + 1] = value
  if ARGV[5] == '1' and value ~= ARGV[i + 1] then changed = true end
end
if changed then return {-1, -1, unpack(stamps)} end
if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', 10) then
  local hourly = tonumber(redis.call('GET', KEYS[1]) or '0')
  local burst = hourly > tonumber(ARGV[1]) and 0 or tonumber(redis.call('GET', KEYS[2]) or '0')
  return {hourly, burst, unpack(stamps)}
end
local hourly = redis.call('INCR', KEYS[1])
if hourly == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if hourly > tonumber(ARGV[1]) then return {hourly, 0, unpack(stamps)} end
local burst = redis.call('INCR', KEYS[2])
if burst == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return {hourly, burst, unpack(stamps)}
"""
STAMP_CLOCK = "stamp-clock"


class RateLimiter:
    # Whether `hit` checks stamps (only a shared store can: apikeys.principal_cache
    # trusts nothing it remembered without it).
    checks_stamps = False

    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock

    def _count(
        self,
        hourly_key: str,
        burst_key: str,
        bucket: Bucket,
        ttls: tuple[int, int],
        stamps: Stamps | None,
        meanwhile: Callable[[], object] | None,
    ) -> tuple[int, int, tuple[str, ...]]:
        raise NotImplementedError

    def invalidate(self, stamp_keys) -> None:
        """What these stamps stand for changed (nothing to do without stamps)."""

    def hit(
        self,
        bucket: Bucket,
        stamps: Stamps | None = None,
        *,
        meanwhile: Callable[[], object] | None = None,
    ) -> Usage:
        """Count a request against `bucket`; with `stamps` whose `expected` values
        are no longer current, count nothing and raise StampsChanged.

        `meanwhile`: work that does not depend on the answer (the site a team
        key's request names), which a limiter waiting on a server runs while the
        script runs there, so the request waits for the slower of the two, not
        for both. It may not be run, and what it raises is dropped: the caller
        does the same work again later, where it belongs (and caches it)."""
        now = self.clock()
        hourly_index, hourly_reset = _window(now, HOURLY_WINDOW)
        burst_index, burst_reset = _window(now, bucket.burst_period)
        hourly_key = f"rl:{bucket.key}:h:{hourly_index}"
        burst_key = f"rl:{bucket.key}:b{bucket.burst_period}:{burst_index}"
        hourly_count, burst_count, current = self._count(
            hourly_key, burst_key, bucket, (hourly_reset + 1, burst_reset + 1), stamps, meanwhile
        )
        return Usage(
            hourly=WindowUsage(
                "hourly", bucket.hourly_limit, HOURLY_WINDOW, hourly_count, hourly_reset
            ),
            burst=WindowUsage(
                "burst", bucket.burst_limit, bucket.burst_period, burst_count, burst_reset
            ),
            stamps=current,
        )


class RedisRateLimiter(RateLimiter):
    """Counts in Redis, shared by every process and host using the same server and
    key prefix."""

    checks_stamps = True

    def __init__(self, client, *, prefix: str, clock: Callable[[], float] = time.time):
        super().__init__(clock=clock)
        self.client = client
        self.prefix = prefix
        self.script = client.register_script(_SCRIPT)
        self._own = _OwnConnections(client.connection_pool)

    def _count(self, hourly_key, burst_key, bucket, ttls, stamps, meanwhile):
        from redis.exceptions import RedisError

        keys = [hourly_key, burst_key, STAMP_CLOCK, f"rl-once:{_once_id()}"]
        args = [bucket.hourly_limit, *ttls, STAMP_TTL, "0"]
        if stamps is not None:
            keys.extend(stamps.keys)
            if stamps.expected is not None:
                args[4] = "1"
                args.extend(stamps.expected)
        keys = [f"{self.prefix}:{key}" for key in keys]
        try:
            result = self._run_script_while(meanwhile, keys, args)
        except RedisError as exc:
            raise RateLimitUnavailable(str(exc)) from exc
        current = tuple(value.decode() for value in result[2:])
        if int(result[0]) < 0:
            raise StampsChanged(current)
        return int(result[0]), int(result[1]), current

    def _run_script_while(self, meanwhile, keys, args):
        """The script sent on this thread's own connection, `meanwhile` run (if
        any), then the answer read. The script not loaded yet, or the connection
        broken: the plain call through the pool, which loads the script and
        retries as configured (the once-key makes a call sent twice count once).
        A timeout is not retried."""
        from redis.exceptions import ConnectionError, NoScriptError

        connection = self._own.connection()
        result = None
        try:
            connection.send_command("EVALSHA", self.script.sha, len(keys), *keys, *args)
            if meanwhile is not None:
                _run_aside(meanwhile)
            result = connection.read_response()
        except NoScriptError:
            pass  # an answer, read whole: the connection is clean
        except ConnectionError:
            connection.disconnect()
        except BaseException:
            # A timeout (not retried: the server may still be at it; redis-py has
            # dropped the connection already) or anything else: an answer may
            # still be on its way, which must not be read as the next call's.
            connection.disconnect()
            raise
        if result is None:
            result = self.script(keys=keys, args=args)
        return result

    def invalidate(self, stamp_keys) -> None:
        """Delete the stamps; raises RateLimitUnavailable if Redis is unreachable."""
        from redis.exceptions import RedisError

        names = [f"{self.prefix}:{key}" for key in stamp_keys]
        if not names:
            return
        try:
            self.client.delete(*names)
        except RedisError as exc:
            raise RateLimitUnavailable(str(exc)) from exc


class _OwnConnections:
    """One Redis connection per thread, outside the pool, for the counting script:
    a request's one round trip then costs no pool bookkeeping, and no check that
    a borrowed connection holds no stale answer, since this one is disconnected
    whenever a call on it does not end with its answer read. A forked child
    opens its own instead of sharing its parent's socket."""

    def __init__(self, pool):
        self.pool = pool
        self.local = threading.local()

    def connection(self):
        held = getattr(self.local, "held", None)
        if held is None or held[0] != _forks[0]:
            connection = self.pool.connection_class(**self.pool.connection_kwargs)
            held = self.local.held = (_forks[0], connection)
        return held[1]


def _once_id() -> str:
    """Unique to a call, across processes and hosts: a random token of this
    process's, and a counter. No random bytes are drawn per call."""
    return f"{_once[0]}{next(_once[1])}"


def _after_fork() -> None:
    """A forked child (gunicorn's workers) draws its own token and opens its own
    connections: neither may be its parent's."""
    global _once
    _once = (secrets.token_urlsafe(12), itertools.count())
    _forks[0] += 1


_forks = [0]
_once: tuple[str, itertools.count] = (secrets.token_urlsafe(12), itertools.count())
os.register_at_fork(after_in_child=_after_fork)


def _run_aside(meanwhile: Callable[[], object]) -> None:
    """Run work the caller asked for early. It is only done early: if it fails,
    the caller does it again where it belongs, and fails there."""
    try:
        meanwhile()
    except Exception:  # noqa: BLE001, S110 (done again, and raised, by the caller)
        pass


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

    def _count(self, hourly_key, burst_key, bucket, ttls, stamps, meanwhile):
        # No stamps here (checks_stamps is False): nothing relies on them; and no
        # waiting, so nothing to run meanwhile.
        now = self.clock()
        with self.lock:
            if len(self.counters) > 100_000:  # drop expired counters now and then
                self.counters = {k: v for k, v in self.counters.items() if v[1] > now}
            hourly = self._incr(hourly_key, ttls[0], now)
            if hourly > bucket.hourly_limit:
                return hourly, 0, ()
            return hourly, self._incr(burst_key, ttls[1], now), ()


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


def count_request(
    bucket: Bucket, stamps: Stamps | None = None, *, meanwhile: Callable[[], object] | None = None
) -> Usage | None:
    """Count a request. Returns None when the store is down and the operator chose
    to fail open; raises RateLimitUnavailable when failing closed, and
    StampsChanged (nothing counted) when `stamps` are not what was expected.
    `meanwhile`: as for RateLimiter.hit."""
    try:
        return rate_limiter().hit(bucket, stamps, meanwhile=meanwhile)
    except RateLimitUnavailable as exc:
        if not settings.RATELIMIT_FAIL_OPEN:
            logger.error("Rate limiting unavailable, refusing the request: %s", exc)
            raise
        if _warn_fail_open():
            logger.warning("Rate limiting unavailable, serving without limits: %s", exc)
        return None


def policy_header(usage: Usage) -> str:
    """`RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers)."""
    return _policy(usage.hourly.limit, usage.burst.limit, usage.burst.window)


@functools.lru_cache(maxsize=1024)
def _policy(hourly_limit: int, burst_limit: int, burst_period: int) -> str:
    """The same for every request of a budget: built once per limits."""
    return f'"hourly";q={hourly_limit};w={HOURLY_WINDOW}, "burst";q={burst_limit};w={burst_period}'


def nearest_window(usage: Usage) -> WindowUsage:
    """The policy nearest to running out: fewest remaining, then the longest wait."""
    return min((usage.hourly, usage.burst), key=lambda w: (w.remaining, -w.reset))


def rate_limit_header(usage: Usage) -> str:
    window = usage.refusal or nearest_window(usage)
    return f'"{window.name}";r={window.remaining};t={window.reset}'

"""How the app's Redis client retries (config/settings.py), in one place so the
tests build their clients the same way."""

from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry


def retry_a_broken_connection_once() -> Retry:
    """One immediate retry when a connection broke (a pooled one gone stale after
    a Redis restart), not redis-py's default backoff of seconds per request. Not
    after a timeout: the server may still be busy with the call. A count that is
    sent again is not counted twice (api.ratelimit's once-key)."""
    return Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))

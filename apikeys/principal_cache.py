"""Resolved keys kept in this process's memory, trusted only as far as Redis
vouches for them: a warm key costs no database query to authenticate.

Each entry holds a principal (apikeys.principal) and the values its stamps
(apikeys.stamps) had **before** it was read from the database. A remembered
principal is used only if the script that counts the request finds those stamps
unchanged (apikeys.throttling): the check costs nothing extra, it rides on the
round trip every request makes anyway. When a stamp has changed, nothing is
counted, the key is read again and counted then. Every change to what a
principal is read from retires its stamps, so it applies to the next request on
every process and host that shares the Redis.

Why "before": a stamp read after the rows could already belong to a change the
rows do not show yet. So a key enters in two steps. Its first request reads the
key from the database and counts with the stamps merely read; those values are
remembered alone. Its next request reads the key again (now after them) and
counts with them checked: if they held, that principal is remembered. From then
on, no query, until a stamp changes or the entry is older than
PRINCIPAL_CACHE_MAX_AGE_SECONDS (then its principal is dropped, and the next
request reads the key again under the same stamps).

Only with a limiter that checks stamps (Redis). Without REDIS_URL, or with
PRINCIPAL_CACHE_SIZE = 0, nothing is remembered. If Redis is unreachable,
everything remembered is dropped: stamps retired meanwhile would be missed.

Keyed by the key's SHA-256 hash; the raw key is never kept.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from django.conf import settings

from api.ratelimit import rate_limiter
from apikeys.principal import Principal


@dataclass(frozen=True)
class _Entry:
    stamp_keys: tuple[str, ...]
    stamps: tuple[str, ...]
    principal: Principal | None  # None: only the stamps are known yet
    stored_at: float


class PrincipalCache:
    """A bounded LRU of `_Entry`, safe to share between threads."""

    def __init__(self, *, size: int, max_age: float, clock=time.monotonic):
        self.size = size
        self.max_age = max_age
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def principal(self, key_hash: str) -> Principal | None:
        """The remembered principal, still to be checked (`from_cache`)."""
        entry = self._entries.get(key_hash)
        if entry is None or entry.principal is None:
            return None
        if self.clock() - entry.stored_at > self.max_age:
            return None
        with self._lock:
            if key_hash in self._entries:
                self._entries.move_to_end(key_hash)
        return entry.principal

    def stamps_before(self, principal: Principal) -> Principal:
        """`principal`, just read from the database, with the stamps remembered for
        its key (read before it was), if any: the counting script checks them."""
        entry = self._entries.get(principal.api_key.key_hash)
        if entry is None or entry.stamp_keys != principal.stamp_keys:
            return principal
        return replace(principal, stamps=entry.stamps)

    def counted(self, principal: Principal, stamps: tuple[str, ...]) -> None:
        """The script counted a request for `principal` and saw `stamps`. If they
        are the ones the principal was read after, it can be trusted later;
        otherwise only the stamps are remembered, for the next read."""
        if principal.from_cache and principal.stamps == stamps:
            return  # already remembered as it is
        trusted = principal.stamps is not None and principal.stamps == stamps
        remembered = None
        if trusted:
            remembered = replace(principal, read_with_key=None, from_cache=True)
        self._store(principal.api_key.key_hash, principal.stamp_keys, stamps, remembered)

    def changed(self, principal: Principal, stamps: tuple[str, ...]) -> None:
        """The script found other stamps than `principal` was checked with."""
        self._store(principal.api_key.key_hash, principal.stamp_keys, stamps, None)

    def _store(self, key_hash, stamp_keys, stamps, principal) -> None:
        entry = _Entry(stamp_keys, stamps, principal, self.clock())
        with self._lock:
            self._entries[key_hash] = entry
            self._entries.move_to_end(key_hash)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = PrincipalCache(size=0, max_age=0)
_configured_for: tuple | None = None


def principal_cache() -> PrincipalCache | None:
    """This process's cache, or None when nothing may be remembered."""
    global _cache, _configured_for
    size = settings.PRINCIPAL_CACHE_SIZE
    if size == 0 or not rate_limiter().checks_stamps:
        return None
    configuration = (size, settings.PRINCIPAL_CACHE_MAX_AGE_SECONDS)
    if configuration != _configured_for:
        _cache = PrincipalCache(size=size, max_age=configuration[1])
        _configured_for = configuration
    return _cache


def forget_all() -> None:
    """Drop everything remembered (Redis unreachable; tests)."""
    _cache.clear()

"""Throttling of failed sign-ins: staff basic auth, the admin login and the
invitation page all go through these two functions, counted by django-ratelimit in
the shared cache (Redis when `REDIS_URL` is set, so every worker and server sees
the same counts).

Failures are counted per client address and per account. Callers ask
`sign_in_refusal` *before* checking a password, so a client already over its
budget costs no password hash, and call `record_sign_in_failure` after any attempt
that did not sign in (a right password for an account that may not sign in there
counts too, so the counters never confirm a password).
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

from accounts.models import normalize_email

ADDRESS_GROUP = "sign-in-failures:address"
ACCOUNT_GROUP = "sign-in-failures:account"
TOO_MANY_FAILURES = "Too many failed sign-in attempts. Try again in {seconds} seconds."


class ThrottleUnavailable(Exception):
    """The shared cache holding the counters cannot be reached."""


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # whole seconds, at least 1

    @property
    def message(self) -> str:
        return TOO_MANY_FAILURES.format(seconds=self.retry_after)


def _account_value(account: str) -> str:
    # django-ratelimit hashes its cache keys; hashing here as well keeps even the
    # value it hashes free of the address people sign in with.
    return hashlib.sha256(normalize_email(account).encode("utf-8", "replace")).hexdigest()


def _counters(address: str | None, account: str | None) -> list[tuple[str, str, str]]:
    counters = []
    if address:
        counters.append((ADDRESS_GROUP, address, settings.FAILED_SIGN_IN_RATE_PER_ADDRESS))
    if account:
        counters.append(
            (ACCOUNT_GROUP, _account_value(account), settings.FAILED_SIGN_IN_RATE_PER_ACCOUNT)
        )
    return counters


def _usage(group: str, value: str, rate: str, *, increment: bool) -> dict | None:
    try:
        return get_usage(
            None, group=group, key=lambda _group, _request: value, rate=rate, increment=increment
        )
    except Exception as exc:  # the cache backend's own connection errors
        if settings.RATELIMIT_FAIL_OPEN:
            return None
        raise ThrottleUnavailable(str(exc)) from exc


def sign_in_refusal(*, address: str | None, account: str | None) -> Refusal | None:
    """A Refusal if this address or this account has used up its failed attempts;
    None if the caller may try a password. Counts nothing."""
    waits = []
    for group, value, rate in _counters(address, account):
        usage = _usage(group, value, rate, increment=False)
        if usage is None:
            continue
        if usage["limit"] == 0:  # django-ratelimit could not read the counter
            if settings.RATELIMIT_FAIL_OPEN:
                continue
            raise ThrottleUnavailable("the sign-in failure counter could not be read")
        if usage["count"] >= usage["limit"]:
            waits.append(max(int(usage["time_left"]), 1))
    return Refusal(retry_after=max(waits)) if waits else None


def record_sign_in_failure(*, address: str | None, account: str | None) -> None:
    for group, value, rate in _counters(address, account):
        _usage(group, value, rate, increment=True)

"""Rate limiting as a DRF throttle, over the shared counters of api.ratelimit,
and the check that keeps remembered principals honest (apikeys.principal_cache).

Whose budget a request spends is the view's to say (`get_rate_limit_bucket`):
a team key spends its team's, a legacy key its user's, unless the site it names
belongs to a team of that user (sites.reach knows that). Over the limit the
answer is Plausible's exact 429 with Retry-After; every counted response, errors
included, carries the RateLimit headers (`response_headers`).

With a principal cache, the same script that counts the request checks the
principal's stamps. A remembered principal whose stamps changed is not counted:
the key is read again from the database, judged again (a revoked key is the
401 here) and counted under the stamps the script saw. Redis unreachable: the
remembered principal is replaced by the database's before the operator's
fail-closed (503) or fail-open rule applies, and everything remembered is
dropped."""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from api.errors import RateLimited
from api.ratelimit import (
    Bucket,
    RateLimitUnavailable,
    Stamps,
    StampsChanged,
    Usage,
    count_request,
    policy_header,
    rate_limit_header,
)
from apikeys.principal import Principal
from apikeys.principal_cache import forget_all, principal_cache

# Stamps that keep changing under a request (a burst of admin edits): after this
# many reads, the last principal read is counted without a check. It was read
# during this request, so it is as fresh as any.
MAX_REREADS = 2


def legacy_user_bucket(user_id: int) -> Bucket:
    """A legacy key's user's own budget, the same for every user (settings)."""
    return Bucket(
        key=f"legacy_user:{user_id}",
        hourly_limit=settings.LEGACY_HOURLY_API_REQUEST_LIMIT,
        burst_limit=settings.LEGACY_BURST_REQUEST_LIMIT,
        burst_period=settings.LEGACY_BURST_PERIOD_SECONDS,
    )


# Budgets this process last saw refused, until when (time.monotonic()): their
# requests read nothing while they are counted, so a client that keeps hitting
# its limit costs no site query per 429.
_refused_until: dict[str, float] = {}
REFUSALS_REMEMBERED = 10_000


def _read_aside(view, bucket: Bucket):
    """The view's read to run while the request is counted (its
    `read_while_counting()`), unless its budget was refused lately."""
    until = _refused_until.get(bucket.key)
    if until is not None:
        if until > time.monotonic():
            return None
        _refused_until.pop(bucket.key, None)
    read = getattr(view, "read_while_counting", None)
    return read() if read is not None else None


def forget_refusals() -> None:
    """Tests: a budget refused in one test is not another's."""
    _refused_until.clear()


def _remember_refusal(bucket: Bucket, usage: Usage) -> None:
    refusal = usage.refusal
    if refusal is None:
        return
    if len(_refused_until) >= REFUSALS_REMEMBERED:
        _refused_until.clear()
    _refused_until[bucket.key] = time.monotonic() + refusal.reset


class ApiKeyRateThrottle(BaseThrottle):
    usage: Usage | None = None

    def allow_request(self, request, view) -> bool:
        principal = request.auth
        if not isinstance(principal, Principal):
            return True  # nothing to count: the permission step refuses it
        cache = principal_cache()
        if cache is None:
            self.usage = count_request(view.get_rate_limit_bucket(principal))
        else:
            self.usage = self._count_checked(request, view, principal, cache)
        if self.usage is not None and self.usage.refusal is not None:
            raise RateLimited(self.usage.message, wait=self.usage.refusal.reset)
        return True

    def _count_checked(self, request, view, principal: Principal, cache) -> Usage | None:
        for attempt in range(MAX_REREADS + 1):
            expected = principal.stamps if attempt < MAX_REREADS else None
            bucket = view.get_rate_limit_bucket(principal)
            try:
                usage = count_request(
                    bucket,
                    Stamps(principal.stamp_keys, expected),
                    meanwhile=_read_aside(view, bucket),
                )
            except StampsChanged as changed:
                cache.changed(principal, changed.current)
                principal = self._reread(request, principal, stamps=changed.current)
                continue
            except RateLimitUnavailable:
                self._distrust(request, principal)
                raise
            if usage is None:  # failing open: nothing vouched for it
                self._distrust(request, principal)
                return None
            cache.counted(principal, usage.stamps)
            _remember_refusal(bucket, usage)
            return usage
        raise AssertionError("unreachable: the last attempt is not checked")

    def _reread(self, request, principal: Principal, *, stamps) -> Principal:
        """Replace the request's principal with the database's (judged again)."""
        user, principal = request.successful_authenticator.reread(
            request, stamps=stamps, replacing=principal
        )
        request.user, request.auth = user, principal
        return principal

    def _distrust(self, request, principal: Principal) -> None:
        forget_all()
        if principal.from_cache:
            self._reread(request, principal, stamps=None)

    def response_headers(self) -> dict[str, str]:
        if self.usage is None:
            return {}
        return {
            "RateLimit-Policy": policy_header(self.usage),
            "RateLimit": rate_limit_header(self.usage),
        }

"""Rate limiting as a DRF throttle, over the shared counters of api.ratelimit.

Whose budget a request spends is the view's to say (`get_rate_limit_bucket`):
a team key spends its team's, a legacy key its user's, unless the site it names
belongs to a team of that user (sites.reach knows that). Over the limit the
answer is Plausible's exact 429 with Retry-After; every counted response, errors
included, carries the RateLimit headers (`response_headers`)."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from api.errors import RateLimited
from api.ratelimit import Bucket, Usage, count_request, policy_header, rate_limit_header
from apikeys.principal import Principal


def legacy_user_bucket(user_id: int) -> Bucket:
    """A legacy key's user's own budget, the same for every user (settings)."""
    return Bucket(
        key=f"legacy_user:{user_id}",
        hourly_limit=settings.LEGACY_HOURLY_API_REQUEST_LIMIT,
        burst_limit=settings.LEGACY_BURST_REQUEST_LIMIT,
        burst_period=settings.LEGACY_BURST_PERIOD_SECONDS,
    )


class ApiKeyRateThrottle(BaseThrottle):
    usage: Usage | None = None

    def allow_request(self, request, view) -> bool:
        principal = request.auth
        if not isinstance(principal, Principal):
            return True  # nothing to count: the permission step refuses it
        self.usage = count_request(view.get_rate_limit_bucket(principal))
        if self.usage is not None and self.usage.refusal is not None:
            raise RateLimited(self.usage.message, wait=self.usage.refusal.reset)
        return True

    def response_headers(self) -> dict[str, str]:
        if self.usage is None:
            return {}
        return {
            "RateLimit-Policy": policy_header(self.usage),
            "RateLimit": rate_limit_header(self.usage),
        }

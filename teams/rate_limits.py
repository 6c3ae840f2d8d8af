"""A team's API budget: the limits configured on the team (per-team overrides
of the defaults), as the rate limiter's Bucket (api.ratelimit)."""

from api.ratelimit import Bucket
from teams.models import Team


def team_bucket(team: Team) -> Bucket:
    return Bucket(
        key=f"team:{team.identifier}",
        hourly_limit=team.hourly_api_request_limit,
        burst_limit=team.burst_request_limit,
        burst_period=team.burst_period_seconds,
    )

"""Domain errors about teams, and the messages clients depend on (Plausible's,
word for word, where they exist)."""

from api.errors import ServiceError

TEAM_LOCKED = (
    "This Plausible site is locked due to missing active subscription. In order to "
    "access it, the site owner should subscribe to a suitable plan"
)
FEATURE_MISSING = (
    "The account that owns this API key does not have access to {feature}. Please make "
    "sure you're using the API key of a subscriber account and that the subscription "
    "plan includes {feature}"
)
INVALID_TEAM_ID = "Parameter `team_id` must be a team identifier (a UUID)"
TEAM_NOT_FOUND = "Team could not be found"


class TeamNotEntitled(ServiceError):
    """The team is locked, or its plan lacks a feature (Plausible's 402)."""

    status_code = 402


class TeamNotFound(ServiceError):
    status_code = 404

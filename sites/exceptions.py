"""Domain errors raised by the services of `sites/` and `sharedlinks/`, and the
messages about sites that clients depend on.

Services know nothing of HTTP; each interface renders these its own way (the
Plausible dialect as `{"error": "<message>"}` with the status below, through
api.errors.ServiceError)."""

from api.errors import ServiceError

MISSING_SITE_ID = (
    "Missing site ID. Please provide the required site_id parameter with your request."
)
SITE_ID_NOT_TEXT = "Parameter `site_id` must be a string (the site's domain)"
CONSOLIDATED_VIEW = "This operation is unavailable for a consolidated view"
SITE_NOT_FOUND = "Site could not be found"
PAYLOAD_REQUIRED = (
    "Payload must contain at least one of the parameters 'domain', 'tracker_script_configuration'"
)
PROPERTY_REQUIRED = "Parameter `property` is required to create a custom property"
PROPERTY_NOT_TEXT = "Parameter `property` must be a string or a list of strings"


class SiteServiceError(ServiceError):
    status_code = 400


class InvalidInput(SiteServiceError):
    status_code = 400


class NotIncluded(SiteServiceError):
    """The team's entitlements do not include a feature (Plausible's 402)."""

    status_code = 402

    def __init__(self, feature_label: str):
        super().__init__(f"Your current subscription plan does not include {feature_label}")


class LimitReached(SiteServiceError):
    status_code = 402


class NotPermitted(SiteServiceError):
    status_code = 403


class NotFound(SiteServiceError):
    status_code = 404


class Conflict(SiteServiceError):
    status_code = 409


class Gone(SiteServiceError):
    """It existed but cannot be used any more (an expired invitation)."""

    status_code = 410


class Unavailable(SiteServiceError):
    """A dependency (the mail server) failed; nothing was written."""

    status_code = 503

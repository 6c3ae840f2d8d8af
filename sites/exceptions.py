"""Domain errors raised by the services of `sites/` and `sharedlinks/`.

Services know nothing of HTTP; each interface renders these its own way (the
Plausible dialect as `{"error": "<message>"}` with the status below)."""


class SiteServiceError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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

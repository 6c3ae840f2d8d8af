"""Error messages about keys that clients depend on (Plausible's, word for word,
where they exist). The authentication class raises them as DRF's 401/403."""

MISSING_API_KEY = "Missing API key. Please use a valid Plausible API key as a Bearer Token."
INVALID_API_KEY = (
    "Invalid API key. Please make sure you're using a valid API key "
    "with access to the resource you've requested."
)
KEY_IN_URL = (
    "API keys are not accepted in URLs. Send the key in the Authorization header "
    "as a Bearer token, or in the X-API-Key header."
)
NETWORK_NOT_ALLOWED = "This API key may not be used from your network address ({address})."

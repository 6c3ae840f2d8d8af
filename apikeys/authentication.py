from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.network import client_address
from apikeys import keys
from apikeys.allowed_networks import address_allowed
from apikeys.exceptions import INVALID_API_KEY, KEY_IN_URL, MISSING_API_KEY, NETWORK_NOT_ALLOWED
from apikeys.selectors import api_key_for_raw_key
from apikeys.services import record_key_use

BEARER_PREFIX = "Bearer "
# Query parameters people commonly put keys in; refused even when malformed.
KEY_QUERY_PARAMETERS = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token"})


def key_in_query_string(request) -> bool:
    for name, values in request.query_params.lists():
        if name.lower() in KEY_QUERY_PARAMETERS and any(values):
            return True
        # The checksum lets us spot one of our keys under any parameter name.
        if any(keys.is_well_formed(value) for value in values):
            return True
    return False


def raw_key_from_headers(request) -> str | None:
    """`Authorization: Bearer <key>` (exact prefix, as Plausible) or `X-API-Key`.

    Returns None when neither header carries a key; an empty bearer token is
    returned as "" so that it fails as an invalid key, not a missing one."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.startswith(BEARER_PREFIX):
        return authorization[len(BEARER_PREFIX) :].strip()
    x_api_key = request.META.get("HTTP_X_API_KEY")
    if x_api_key is not None:
        return x_api_key.strip()
    return None


def require_key_presented(request) -> None:
    """The first check of every key-authenticated request (docs/plausible-compat.md#check-order)."""
    if key_in_query_string(request):
        raise exceptions.AuthenticationFailed(KEY_IN_URL)
    if raw_key_from_headers(request) is None:
        raise exceptions.NotAuthenticated(MISSING_API_KEY)


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates with one database query. Returns `(user, api_key)`.

    A view may name a read to run in the same query (its `read_with_key`, an
    apikeys.selectors.JoinedRead: the site the request names)."""

    def authenticate(self, request):
        require_key_presented(request)
        raw_key = raw_key_from_headers(request)
        view = (request.parser_context or {}).get("view")
        api_key = api_key_for_raw_key(raw_key, joined=getattr(view, "read_with_key", None))
        if api_key is None or not api_key.is_usable() or not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        address = client_address(request)
        if not address_allowed(address, api_key.allowed_networks):
            raise exceptions.PermissionDenied(
                NETWORK_NOT_ALLOWED.format(address=address or "unknown")
            )
        record_key_use(api_key=api_key)
        return (api_key.user, api_key)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

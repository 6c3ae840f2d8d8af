from collections.abc import Callable
from dataclasses import replace

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from api.network import client_address
from apikeys import keys
from apikeys.allowed_networks import address_allowed
from apikeys.exceptions import INVALID_API_KEY, KEY_IN_URL, NETWORK_NOT_ALLOWED
from apikeys.principal import JoinedRead
from apikeys.principal_cache import principal_cache
from apikeys.selectors import principal_for_raw_key
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


class ApiKeyAuthentication(BaseAuthentication):
    """Resolves a team-scoped or legacy key to `(user, Principal)`: from this
    process's memory when apikeys.principal_cache remembers it (no query; the
    throttle then checks it against Redis before anything acts on it), else in
    one database query. Returns None when the request uses neither key scheme,
    so that authenticators can stack; the missing-key 401 is then the permission
    step's (apikeys.permissions.HasApiKey).

    `read_with_key` is the view's named hook for a read to run in the same
    statement (a JoinedRead: the site the request names). It is called once a key
    is presented and before the key is judged, which is Plausible's check order
    (docs/plausible-compat.md#check-order): the hook may refuse the request first,
    e.g. for a missing `site_id`. A remembered principal needs no statement, so
    then the site is read on its own (sites.reach.named_site).

    `use_cache` says whether a remembered principal may be returned: only for
    views whose throttle checks it (apikeys.throttling.ApiKeyRateThrottle)."""

    def __init__(
        self,
        read_with_key: Callable[[], JoinedRead | None] | None = None,
        *,
        use_cache: bool = False,
    ):
        self.read_with_key = read_with_key
        self.use_cache = use_cache

    def authenticate(self, request):
        if key_in_query_string(request):
            raise exceptions.AuthenticationFailed(KEY_IN_URL)
        raw_key = raw_key_from_headers(request)
        if raw_key is None:
            return None
        joined = self.read_with_key() if self.read_with_key is not None else None
        cache = principal_cache() if self.use_cache else None
        if cache is not None and keys.is_well_formed(raw_key):
            remembered = cache.principal(keys.hash_key(raw_key))
            if remembered is not None:
                try:
                    return self._accept(request, remembered)
                except exceptions.APIException:
                    # Refused as remembered (expired, networks): no stamp is
                    # checked before a refusal, so the database has the last word.
                    pass
        principal = principal_for_raw_key(raw_key, joined=joined)
        if cache is not None and principal is not None:
            principal = cache.stamps_before(principal)
        return self._accept(request, principal)

    def reread(self, request, *, stamps: tuple[str, ...] | None, replacing) -> tuple:
        """The request's key read again from the database and judged again, for
        the throttle, when what it was first resolved to can not be trusted
        (stamps changed, or Redis unreachable). `stamps`: the values the counting
        script just saw, read before this read. What was read with the key (the
        named site, with this user's roles on it) is still this request's."""
        principal = principal_for_raw_key(raw_key_from_headers(request) or "")
        if principal is not None:
            principal = replace(principal, read_with_key=replacing.read_with_key, stamps=stamps)
        return self._accept(request, principal)

    def _accept(self, request, principal):
        if principal is None or not principal.is_usable:
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        if principal.allowed_networks:  # most keys have none: no address to work out
            address = client_address(request)
            if not address_allowed(address, principal.allowed_networks):
                raise exceptions.PermissionDenied(
                    NETWORK_NOT_ALLOWED.format(address=address or "unknown")
                )
        record_key_use(api_key=principal.api_key)
        return (principal.user, principal)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

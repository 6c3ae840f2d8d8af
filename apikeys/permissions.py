"""The permission step of key-authenticated endpoints, in DRF's vocabulary.

`HasApiKey` turns "no key scheme at all" into the missing-key 401 (the
authentication class stays silent then, so authenticators can stack); `HasScope`
is the scope check (docs/plausible-compat.md#scopes). Both raise their own
exceptions so that clients get Plausible's exact messages, not DRF's."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from apikeys.exceptions import INVALID_API_KEY, MISSING_API_KEY
from apikeys.principal import Principal
from apikeys.scopes import has_scope


class HasApiKey(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, Principal):
            raise exceptions.NotAuthenticated(MISSING_API_KEY)
        return True


class HasScope(BasePermission):
    """The key's scopes grant the view's `get_required_scope()`, wildcards
    included. A refusal is Plausible's 401 for an invalid key."""

    def has_permission(self, request, view) -> bool:
        principal = request.auth
        if not isinstance(principal, Principal):
            raise exceptions.NotAuthenticated(MISSING_API_KEY)
        if not has_scope(principal.scopes, view.get_required_scope()):
            raise exceptions.AuthenticationFailed(INVALID_API_KEY)
        return True

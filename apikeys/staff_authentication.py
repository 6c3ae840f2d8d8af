"""HTTP basic auth for the staff key endpoints, throttled and uninformative.

Every way of not getting in (malformed credentials, unknown email, wrong
password, inactive account, not staff, staff without the permission the view
needs) is the same 401 with the same body and headers, and counts as a failed
sign-in for the client address and the account (accounts.throttle). So the
answer never confirms that a password is right, and guessing is bounded.

The throttle is asked before any password is checked: a client over its budget
gets a 429 without costing a password hash.

The 401 challenge names a scheme browsers do not know (`StaffBasic`), so a
browser never offers saved credentials for it, while DRF still answers 401
(it needs some challenge to do so).
"""

import base64
import binascii

from django.contrib.auth import authenticate
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication

from accounts.throttle import (
    ThrottleUnavailable,
    record_sign_in_failure,
    sign_in_refusal,
)
from api.network import client_address_text

CHALLENGE = 'StaffBasic realm="staff"'
BAD_CREDENTIALS = "Invalid credentials, or not permitted to manage API keys."
THROTTLE_UNAVAILABLE = (
    "Sign-in is temporarily unavailable (the failed sign-in counter cannot be "
    "reached). Try again shortly."
)
THROTTLE_UNAVAILABLE_RETRY_AFTER = 5


class SignInThrottled(exceptions.APIException):
    """429; DRF's handler turns `wait` into Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait


class SignInUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = THROTTLE_UNAVAILABLE

    def __init__(self):
        super().__init__()
        self.wait = THROTTLE_UNAVAILABLE_RETRY_AFTER


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(email, password) from `Basic <base64>` credentials, or None if they are
    malformed: bad base64, not UTF-8, no colon, or a NUL (which PostgreSQL refuses
    in a query, and no real email or password contains)."""
    _scheme, _, encoded = header.partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    email, colon, password = decoded.partition(":")
    if not colon or not email or "\x00" in decoded:
        return None
    return email, password


def _is_basic(header: str) -> bool:
    return header.split(" ", 1)[0].lower() == "basic"


class StaffBasicAuthentication(BaseAuthentication):
    """Returns `(user, None)` for an active staff user holding the view's
    `required_permission`; None when no basic credentials are sent (the
    permission step then answers 401)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not _is_basic(header):
            return None
        credentials = basic_credentials(header)
        attempt = {
            "address": client_address_text(request),
            "account": credentials[0] if credentials else None,
        }
        try:
            refusal = sign_in_refusal(**attempt)
            if refusal is not None:
                raise SignInThrottled(refusal.message, refusal.retry_after)
            user = self._signed_in_user(request, credentials)
            if user is None:
                record_sign_in_failure(**attempt)
                raise exceptions.AuthenticationFailed(BAD_CREDENTIALS)
        except ThrottleUnavailable:
            raise SignInUnavailable() from None
        return (user, None)

    def _signed_in_user(self, request, credentials):
        if credentials is None:
            return None
        email, password = credentials
        # ModelBackend refuses inactive users and hashes even for unknown emails,
        # so the time taken does not tell which emails exist.
        user = authenticate(request._request, username=email, password=password)
        if user is None or not user.is_staff:
            return None
        view = (request.parser_context or {}).get("view")
        if not user.has_perm(view.required_permission):
            return None
        return user

    def authenticate_header(self, request) -> str:
        return CHALLENGE

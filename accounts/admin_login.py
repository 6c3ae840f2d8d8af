"""The admin's login page, throttled like staff basic auth (accounts.throttle).

Routed at /admin/login/ before the admin's own URLs (config/urls.py). A POST is
refused before any password is checked once the client address or the account
is over its failed sign-in budget, and every POST that does not sign in counts
as a failure. The admin's form already answers a right password of a user who
may not use the admin exactly like a wrong one."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.utils.html import escape
from django.views.decorators.cache import never_cache

from accounts.throttle import ThrottleUnavailable, record_sign_in_failure, sign_in_refusal
from api.network import client_address_text

SIGN_IN_UNAVAILABLE = "Signing in is temporarily unavailable. Try again shortly."
UNAVAILABLE_RETRY_AFTER = 5


def _refusal_page(message: str, status: int, retry_after: int) -> HttpResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Log in</title></head><body><p>{escape(message)}</p></body></html>"
    )
    return HttpResponse(
        body,
        status=status,
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
    )


@never_cache
@login_not_required
def throttled_admin_login(request, extra_context=None):
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    attempt = {
        "address": client_address_text(request),
        "account": request.POST.get("username") or None,
    }
    try:
        refusal = sign_in_refusal(**attempt)
        if refusal is not None:
            return _refusal_page(refusal.message, 429, refusal.retry_after)
        response = admin.site.login(request, extra_context)
        signed_in = 300 <= response.status_code < 400  # the form redirects on success
        if not signed_in:
            record_sign_in_failure(**attempt)
    except ThrottleUnavailable:
        return _refusal_page(SIGN_IN_UNAVAILABLE, 503, UNAVAILABLE_RETRY_AFTER)
    return response

"""The page an invitation email links to. Whoever holds the link may create the
invited email's account only if there is none; an existing account accepts by
signing in with its own password, through the shared sign-in failure throttle.

The token is the page's path, so every answer here is `never_cache`, and Django's
request logging redacts the path (see `sites.log_filters`)."""

from django.contrib.auth import login
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.models import User
from accounts.throttle import ThrottleUnavailable, record_sign_in_failure, sign_in_refusal
from api.network import client_address_text
from sites.exceptions import SiteServiceError
from sites.forms import CreateAccountToAcceptForm, SignInToAcceptForm
from sites.guest_services import (
    INVITATION_EXPIRED,
    INVITATION_NOT_FOUND,
    STAFF_NOT_INVITABLE,
    accept_invitation,
    accept_invitation_with_new_account,
    invitation_for_token,
    is_expired,
)
from sites.models import GuestInvitation, GuestMembership

ACCOUNT_WITHOUT_PASSWORD = (
    "The account {email} has no password yet, so it cannot sign in to accept this "
    "invitation. Ask the staff who run this service to set a password for it, then "
    "open this link again."
)
SIGN_IN_UNAVAILABLE = "Signing in is unavailable right now. Try again in a minute."

ACCEPT_PAGE = "sites/accept_invitation.html"
NOTICE_PAGE = "sites/invitation_notice.html"
_TITLES = {
    404: "This invitation is not valid",
    410: "This invitation has expired",
    503: "Try again later",
}


def _notice(request, message: str, status: int, retry_after: int | None = None):
    title = _TITLES.get(status, "This invitation cannot be accepted")
    response = render(request, NOTICE_PAGE, {"title": title, "message": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _refused(request, exc: SiteServiceError):
    return _notice(request, exc.message, exc.status_code)


def _accepted(request, membership: GuestMembership):
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return render(request, "sites/invitation_accepted.html", {"membership": membership})


@never_cache
@sensitive_post_parameters("password", "password1", "password2")
def accept_invitation_page(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        return _notice(request, INVITATION_NOT_FOUND, 404)
    if is_expired(invitation):
        return _notice(request, INVITATION_EXPIRED, 410)
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        return _create_account(request, token, invitation)
    if user.is_staff or user.is_superuser:
        return _notice(request, STAFF_NOT_INVITABLE, 403)
    if not user.has_usable_password():
        return _notice(request, ACCOUNT_WITHOUT_PASSWORD.format(email=user.email), 200)
    return _sign_in(request, token, invitation, user)


def _create_account(request, token: str, invitation: GuestInvitation):
    data = request.POST if request.method == "POST" else None
    form = CreateAccountToAcceptForm(data, email=invitation.email)
    if data is not None and form.is_valid():
        try:
            membership = accept_invitation_with_new_account(
                token=token, password=form.cleaned_data["password1"]
            )
        except SiteServiceError as exc:
            return _refused(request, exc)
        return _accepted(request, membership)
    context = {"invitation": invitation, "site": invitation.site, "form": form}
    return render(request, ACCEPT_PAGE, context)


def _sign_in(request, token: str, invitation: GuestInvitation, user: User):
    context = {"invitation": invitation, "site": invitation.site}
    if request.method != "POST":
        context["form"] = SignInToAcceptForm(user=user)
        return render(request, ACCEPT_PAGE, context)
    counted = {"address": client_address_text(request), "account": invitation.email}
    try:
        # Before any password hash: a client over its budget costs nothing more.
        refusal = sign_in_refusal(**counted)
        if refusal is not None:
            context.update(form=SignInToAcceptForm(user=user), error=refusal.message)
            response = render(request, ACCEPT_PAGE, context, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        form = SignInToAcceptForm(request.POST, user=user)
        if not form.is_valid():
            if form.password_rejected:
                record_sign_in_failure(**counted)
            context["form"] = form
            return render(request, ACCEPT_PAGE, context)
    except ThrottleUnavailable:
        return _notice(request, SIGN_IN_UNAVAILABLE, 503, retry_after=60)
    try:
        membership = accept_invitation(token=token, user=user)
    except SiteServiceError as exc:
        return _refused(request, exc)
    return _accepted(request, membership)

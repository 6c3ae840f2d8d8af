"""The page an invitation email links to: the invitee accepts by signing in, or
by choosing a password when they have no account yet."""

from django.contrib.auth import login
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.models import User
from sites.exceptions import SiteServiceError
from sites.forms import SetPasswordToAcceptForm, SignInToAcceptForm
from sites.guest_services import accept_invitation, invitation_for_token


@never_cache
@sensitive_post_parameters("password", "password1", "password2")
def accept_invitation_page(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Http404("This invitation is not valid any more.")
    user = User.objects.filter(email=invitation.email).first()
    has_password = user is not None and user.has_usable_password()
    form_class = SignInToAcceptForm if has_password else SetPasswordToAcceptForm
    form_kwargs = {"user": user} if has_password else {"email": invitation.email}
    form = form_class(request.POST or None, **form_kwargs)
    context = {"invitation": invitation, "site": invitation.site, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if not has_password:
                    if user is None:
                        user = User.objects.create_user(invitation.email)
                    user.set_password(form.cleaned_data["password1"])
                    user.save(update_fields=["password"])
                membership = accept_invitation(token=token, user=user)
        except SiteServiceError as exc:
            context["error"] = exc.message
            return render(request, "sites/accept_invitation.html", context, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return render(request, "sites/invitation_accepted.html", {"membership": membership})
    return render(request, "sites/accept_invitation.html", context)

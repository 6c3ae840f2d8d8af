"""Guests: find-or-invite, removal, and accepting an emailed invitation
(docs/plausible-compat.md#guests). Emails are stored lower-cased and compared case-insensitively.

An invitation is a link, and links leak (forwarded mail, shared screens), so the
link alone never sets a password on an existing account: it can create an account
only for an email that has none, and an existing account accepts by signing in.
Staff accounts are never guests: a site owner must not be able to pull one into an
invitation. Links expire after `GUEST_INVITATION_TTL_HOURS` and are never logged.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import EMAIL_MAX_LENGTH, User, normalize_email
from accounts.services import create_user
from sites.exceptions import Conflict, Gone, InvalidInput, NotFound, NotPermitted, Unavailable
from sites.models import GuestInvitation, GuestMembership, GuestRole, Site
from teams.models import Membership

logger = logging.getLogger(__name__)

EMAIL_REQUIRED = "Parameter `email` is required to create guest"
ROLE_REQUIRED = (
    "Parameter `role` is required to create guest. Possible values: `viewer` or `editor`"
)
EMAIL_INVALID = "Parameter `email` must be a valid email address"
ALREADY_A_MEMBER = "This email address belongs to a member of the site's team, not a guest"
EMAIL_FAILED = "The invitation email could not be sent, so no invitation was made. Try again later."
STAFF_NOT_INVITABLE = "This email address belongs to a staff account, which cannot be a guest"
EMAIL_NOT_CONFIGURED = (
    "This server has no outgoing mail configured, so it cannot send invitations. "
    "Its operator must set EMAIL_HOST."
)
INVITATION_NOT_FOUND = (
    "This invitation is not valid any more: it was used or withdrawn. "
    "Ask the person who invited you for a new one."
)
INVITATION_EXPIRED = "This invitation has expired. Ask the person who invited you for a new one."
INVITATION_FOR_ANOTHER_EMAIL = "This invitation was sent to another email address."
ACCOUNT_APPEARED = (
    "An account with this email address was created meanwhile, so none was created. "
    "Open the invitation link again and sign in with that account's password."
)


@dataclass(frozen=True)
class Guest:
    email: str
    role: str
    status: str  # "accepted" or "invited"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def require_guest_email(raw: object) -> str:
    """Presence first (Plausible checks it before the role); format later."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(EMAIL_REQUIRED)
    return raw


def clean_guest_email(raw: object) -> str:
    email = normalize_email(require_guest_email(raw))
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidInput(EMAIL_INVALID)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(EMAIL_INVALID) from None
    return email


def clean_guest_role(raw: object) -> str:
    if raw not in GuestRole.values:
        raise InvalidInput(ROLE_REQUIRED)
    return raw


def invitation_expires_at(created_at: datetime) -> datetime:
    return created_at + timedelta(hours=settings.GUEST_INVITATION_TTL_HOURS)


def is_expired(invitation: GuestInvitation) -> bool:
    return invitation_expires_at(invitation.created_at) <= timezone.now()


def _existing(site: Site, email: str) -> dict:
    """One query: whether the email is a staff account's, and the person's guest
    role, pending invitation and team role."""
    staff = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True), email=email)
    guest = GuestMembership.objects.filter(site=OuterRef("pk"), user__email=email)
    invited = GuestInvitation.objects.filter(site=OuterRef("pk"), email=email)
    member = Membership.objects.filter(team=OuterRef("team"), user__email=email)
    return (
        Site.objects.filter(pk=site.pk)
        .annotate(
            is_staff=Exists(staff),
            guest_role=Subquery(guest.values("role")[:1]),
            invited_id=Subquery(invited.values("pk")[:1]),
            invited_role=Subquery(invited.values("role")[:1]),
            invited_at=Subquery(invited.values("created_at")[:1]),
            team_role=Subquery(member.values("role")[:1]),
        )
        .values("is_staff", "guest_role", "invited_id", "invited_role", "invited_at", "team_role")
        .get()
    )


def invitation_url(token: str) -> str:
    return f"{settings.BASE_URL}/invitations/{quote(token)}/"


def _send_invitation(
    *, site: Site, email: str, role: str, token: str, inviter: User | None
) -> None:
    context = {
        "domain": site.domain,
        "role": role,
        "inviter": inviter.email if inviter else None,
        "url": invitation_url(token),
    }
    send_mail(
        subject=f"[Analytics] You've been invited to {site.domain}",
        message=render_to_string("sites/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def find_or_invite_guest(*, site: Site, email: str, role: str, inviter: User | None) -> Guest:
    """PUT /api/v1/sites/guests. An existing guest or live invitation is returned
    as it is (the requested role is ignored, no second email); an expired one is
    replaced by a fresh invitation. A new invitation is kept only if its email was
    handed to the mail server, so none is made while no mail server is configured."""
    found = _existing(site, email)
    if found["is_staff"]:
        raise InvalidInput(STAFF_NOT_INVITABLE)
    if found["guest_role"]:
        return Guest(email=email, role=found["guest_role"], status="accepted")
    if found["invited_role"] and invitation_expires_at(found["invited_at"]) > timezone.now():
        return Guest(email=email, role=found["invited_role"], status="invited")
    if found["team_role"]:
        raise InvalidInput(ALREADY_A_MEMBER)
    if not settings.EMAIL_CONFIGURED:
        raise Unavailable(EMAIL_NOT_CONFIGURED)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            if found["invited_id"]:
                # By id, so a fresh invitation a concurrent request just made stays.
                GuestInvitation.objects.filter(pk=found["invited_id"]).delete()
            GuestInvitation.objects.create(
                site=site, email=email, role=role, token_hash=hash_token(token), invited_by=inviter
            )
            try:
                _send_invitation(site=site, email=email, role=role, token=token, inviter=inviter)
            except Exception as exc:  # any mail failure: roll the invitation back
                logger.warning("Could not send an invitation to %s for %s: %s", email, site, exc)
                raise Unavailable(EMAIL_FAILED) from None
    except IntegrityError:
        existing = GuestInvitation.objects.filter(site=site, email=email).first()
        if existing is None:
            raise
        return Guest(email=email, role=existing.role, status="invited")
    return Guest(email=email, role=role, status="invited")


def remove_guest(*, site: Site, email: object) -> None:
    """DELETE /api/v1/sites/guests/:email: drop a pending invitation or a guest
    membership (the account stays). Team members are never touched."""
    if not isinstance(email, str):
        return
    email = normalize_email(email)
    with transaction.atomic():
        GuestInvitation.objects.filter(site=site, email=email).delete()
        GuestMembership.objects.filter(site=site, user__email=email).delete()


def add_guest(*, site: Site, user: User, role: str) -> GuestMembership:
    """An accepted guest membership (operators, `manage.py add_guest`)."""
    role = clean_guest_role(role)
    if user.is_staff or user.is_superuser:
        raise InvalidInput(STAFF_NOT_INVITABLE)
    if Membership.objects.filter(team=site.team_id, user=user).exists():
        raise InvalidInput(ALREADY_A_MEMBER)
    with transaction.atomic():
        GuestInvitation.objects.filter(site=site, email=user.email).delete()
        membership, _ = GuestMembership.objects.get_or_create(
            site=site, user=user, defaults={"role": role}
        )
    return membership


# --- Accepting an invitation ------------------------------------------------------


def invitation_for_token(token: str) -> GuestInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        GuestInvitation.objects.select_related("site", "site__team")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _lock_live_invitation(token: str) -> GuestInvitation:
    invitation = (
        GuestInvitation.objects.select_for_update()
        .filter(token_hash=hash_token(token))
        .select_related("site")
        .first()
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND)
    if is_expired(invitation):
        raise Gone(INVITATION_EXPIRED)
    return invitation


def _accept(invitation: GuestInvitation, user: User) -> GuestMembership:
    if normalize_email(user.email) != invitation.email:
        raise InvalidInput(INVITATION_FOR_ANOTHER_EMAIL)
    if user.is_staff or user.is_superuser:  # it may have become staff since the invitation
        raise NotPermitted(STAFF_NOT_INVITABLE)
    membership, _ = GuestMembership.objects.get_or_create(
        site=invitation.site, user=user, defaults={"role": invitation.role}
    )
    invitation.delete()
    return membership


def accept_invitation(*, token: str, user: User) -> GuestMembership:
    """Turn the invitation into a guest membership of `user`, who has proved they
    own the account, and whose email must be the invited one."""
    with transaction.atomic():
        return _accept(_lock_live_invitation(token), user)


def accept_invitation_with_new_account(*, token: str, password: str) -> GuestMembership:
    """Create the invited email's account with `password` and make it the guest, in
    one transaction. Refuses if an account with that email exists by then: the
    link may only create an account, never set the password of one."""
    with transaction.atomic():
        invitation = _lock_live_invitation(token)
        try:
            user = create_user(email=invitation.email, password=password)
        except ValidationError:  # the email is taken: it was validated when invited
            raise Conflict(ACCOUNT_APPEARED) from None
        return _accept(invitation, user)


def prune_expired_invitations() -> int:
    """Delete invitations past their expiry; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.GUEST_INVITATION_TTL_HOURS)
    deleted, _ = GuestInvitation.objects.filter(created_at__lte=cutoff).delete()
    return deleted

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apikeys import keys
from apikeys.allowed_networks import parse_networks
from apikeys.models import API_KEY_NAME_MAX_LENGTH, ApiKey
from apikeys.scopes import DEFAULT_SCOPES, validate_scopes
from teams.models import Membership, Team

LAST_USED_RESOLUTION = timedelta(minutes=1)

# One INFO line per issued and per revoked key, for the audit trail: who, for whom,
# what, from where. Never the raw key (apikeys.redaction would catch it anyway).
audit_log = logging.getLogger("apikeys.audit")
ISSUED_LOG = "API key issued: prefix=%s issuer=%s user=%s team=%s scopes=%s source=%s"
REVOKED_LOG = "API key revoked: prefix=%s issuer=%s user=%s team=%s scopes=%s source=%s"


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown to the caller once; never stored or logged


@dataclass(frozen=True)
class KeyRequest:
    """A validated request for a new key."""

    user: User
    team: Team | None
    name: str
    scopes: list[str]
    allowed_networks: list[str]
    expires_at: datetime | None


def validate_key_request(
    *,
    user: User,
    name: str,
    team: Team | None = None,
    scopes: list[str] | None = None,
    allowed_networks: list[str] | None = None,
    expires_at: datetime | None = None,
) -> KeyRequest:
    """Every rule a new key must satisfy; the admin form runs it before saving."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("An API key needs a name.")
    if len(name) > API_KEY_NAME_MAX_LENGTH:
        raise ValidationError(
            f"The API key name is too long (at most {API_KEY_NAME_MAX_LENGTH} characters)."
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("The expiry time must be in the future.")
    if not user.is_active:
        raise ValidationError(f"{user} is deactivated.")
    if team is not None and not Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError(f"{user} is not a member of team {team.identifier}.")
    return KeyRequest(
        user=user,
        team=team,
        name=name,
        scopes=validate_scopes(scopes if scopes is not None else list(DEFAULT_SCOPES)),
        allowed_networks=parse_networks(allowed_networks),
        expires_at=expires_at,
    )


def create_api_key(
    *,
    user: User,
    name: str,
    team: Team | None = None,
    scopes: list[str] | None = None,
    allowed_networks: list[str] | None = None,
    expires_at: datetime | None = None,
    created_by: User | None = None,
    source: str | None = None,
) -> IssuedKey:
    """Issue a key. Without a team it is a legacy key reaching all the user's teams.

    `created_by` is the person issuing it (None from the command line); `source`
    says where the request came from (a client address) for the audit log."""
    request = validate_key_request(
        user=user,
        name=name,
        team=team,
        scopes=scopes,
        allowed_networks=allowed_networks,
        expires_at=expires_at,
    )
    raw_key = keys.generate_raw_key()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            user=request.user,
            team=request.team,
            name=request.name,
            key_prefix=keys.display_prefix(raw_key),
            key_hash=keys.hash_key(raw_key),
            scopes=request.scopes,
            allowed_networks=request.allowed_networks,
            expires_at=request.expires_at,
            created_by=created_by,
        )
    _audit(ISSUED_LOG, api_key=api_key, actor=created_by, source=source)
    return IssuedKey(api_key=api_key, raw_key=raw_key)


def revoke_api_key(
    *, api_key: ApiKey, revoked_by: User | None = None, source: str | None = None
) -> bool:
    """Revoke a key; the next request with it is refused. Returns False if it
    was already revoked (revoking is idempotent; only a real revocation is logged)."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    api_key.refresh_from_db(fields=["revoked_at"])
    if updated:
        _audit(REVOKED_LOG, api_key=api_key, actor=revoked_by, source=source)
    return bool(updated)


def _audit(message: str, *, api_key: ApiKey, actor: User | None, source: str | None) -> None:
    audit_log.info(
        message,
        api_key.key_prefix,
        actor.email if actor is not None else "-",
        api_key.user.email,
        api_key.team.identifier if api_key.team is not None else "-",
        ",".join(api_key.scopes),
        source or "-",
    )


def record_key_use(*, api_key: ApiKey, now: datetime | None = None) -> None:
    """Write last_used_at at most once a minute, so a busy key costs no extra
    write on most requests."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from teams.models import TEAM_NAME_MAX_LENGTH, Feature, Membership, Role, Team

# Sentinel for "leave unchanged" where None is a meaningful value (no site limit).
UNCHANGED = object()


@transaction.atomic
def create_team(*, name: str, owner: User) -> Team:
    name = name.strip()
    if not name:
        raise ValidationError("Team name can't be blank.")
    if len(name) > TEAM_NAME_MAX_LENGTH:
        raise ValidationError(f"Team name is too long (at most {TEAM_NAME_MAX_LENGTH} characters).")
    team = Team.objects.create(name=name)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def add_member(*, team: Team, user: User, role: str) -> Membership:
    """Make `user` a member of `team` with `role`, or change the role of an existing
    member. The last owner of a team cannot be demoted."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(team=team, user=user).first()
        if membership is None:
            try:
                with transaction.atomic():
                    return Membership.objects.create(team=team, user=user, role=role)
            except IntegrityError:
                membership = Membership.objects.select_for_update().get(team=team, user=user)
        if membership.role == Role.OWNER and role != Role.OWNER:
            other_owners = (
                Membership.objects.filter(team=team, role=Role.OWNER)
                .exclude(pk=membership.pk)
                .exists()
            )
            if not other_owners:
                raise ValidationError(f"{user} is the only owner of this team; add another first.")
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        return membership


def validate_features(features: list[str]) -> list[str]:
    unknown = sorted(set(features) - set(Feature.values))
    if unknown:
        raise ValidationError(
            f"Unknown feature(s): {', '.join(unknown)}. Known: {', '.join(Feature.values)}."
        )
    # Stored in the canonical order so the admin and the API show them stably.
    return [feature for feature in Feature.values if feature in features]


@transaction.atomic
def set_team_entitlements(
    *,
    team: Team,
    features: list[str] | None = None,
    hourly_api_request_limit: int | None = None,
    burst_request_limit: int | None = None,
    burst_period_seconds: int | None = None,
    site_limit: int | None | object = UNCHANGED,
    locked: bool | None = None,
) -> Team:
    """Change what a team may do. Takes effect on the team's next API request."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    if features is not None:
        team.features = validate_features(features)
    for field, value in (
        ("hourly_api_request_limit", hourly_api_request_limit),
        ("burst_request_limit", burst_request_limit),
    ):
        if value is not None:
            if value < 0:
                raise ValidationError(f"{field} must be zero or more.")
            setattr(team, field, value)
    if burst_period_seconds is not None:
        if burst_period_seconds < 1:
            raise ValidationError("burst_period_seconds must be at least 1.")
        team.burst_period_seconds = burst_period_seconds
    if site_limit is not UNCHANGED:
        if site_limit is not None and site_limit < 0:
            raise ValidationError("site_limit must be zero or more, or none.")
        team.site_limit = site_limit
    if locked is not None:
        team.locked = locked
    team.save()
    return team

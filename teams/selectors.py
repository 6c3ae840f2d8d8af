import uuid

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from accounts.models import User
from teams.models import Membership, Team


def _parse_identifier(identifier: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(identifier))
    except (TypeError, ValueError, AttributeError):
        return None


def is_team_identifier(value: object) -> bool:
    """Whether `value` is text spelling a team identifier (a UUID), so that a
    caller can tell "malformed" from "no such team"."""
    return isinstance(value, str) and _parse_identifier(value) is not None


def team_by_identifier(identifier: object) -> Team | None:
    """The team with this public UUID, or None for anything that is not one."""
    parsed = _parse_identifier(identifier)
    return None if parsed is None else Team.objects.filter(identifier=parsed).first()


# Plausible gives a site's guests a team membership with this role; ours live on
# the site (GuestMembership), and selectors report them under the same name.
GUEST_ROLE = "guest"


def team_for_user(*, identifier: object, user: User) -> Team | None:
    """Like `team_by_identifier`, annotated with `user_role`: the user's role in the
    team, "guest" if they are only a guest of one of its sites, or None; still in
    one query."""
    from sites.models import GuestMembership

    parsed = _parse_identifier(identifier)
    if parsed is None:
        return None
    role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
    guest = GuestMembership.objects.filter(site__team=OuterRef("pk"), user=user)
    team = (
        Team.objects.annotate(user_role=Subquery(role), is_guest=Exists(guest))
        .filter(identifier=parsed)
        .first()
    )
    if team is not None and team.user_role is None and team.is_guest:
        team.user_role = GUEST_ROLE
    return team


def teams_of_user(user: User) -> QuerySet[Team]:
    """Teams where the user holds a (non-guest) membership."""
    return Team.objects.filter(memberships__user=user)


def teams_reachable_by_key(*, user: User, key_team: Team | None) -> QuerySet[Team]:
    """#2 GET /api/v1/sites/teams: a team-scoped key sees only its own team."""
    teams = teams_of_user(user)
    return teams.filter(pk=key_team.pk) if key_team is not None else teams

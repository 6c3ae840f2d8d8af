import uuid

from django.db.models import QuerySet

from accounts.models import User
from teams.models import Team


def parse_identifier(identifier: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(identifier))
    except (TypeError, ValueError, AttributeError):
        return None


def is_team_identifier(value: object) -> bool:
    """Whether `value` is text spelling a team identifier (a UUID), so that a
    caller can tell "malformed" from "no such team"."""
    return isinstance(value, str) and parse_identifier(value) is not None


def team_by_identifier(identifier: object) -> Team | None:
    """The team with this public UUID, or None for anything that is not one."""
    parsed = parse_identifier(identifier)
    return None if parsed is None else Team.objects.filter(identifier=parsed).first()


def teams_of_user(user: User) -> QuerySet[Team]:
    """Teams where the user holds a (non-guest) membership."""
    return Team.objects.filter(memberships__user=user)


def teams_reachable_by_key(*, user: User, key_team: Team | None) -> QuerySet[Team]:
    """#2 GET /api/v1/sites/teams: a team-scoped key sees only its own team."""
    teams = teams_of_user(user)
    return teams.filter(pk=key_team.pk) if key_team is not None else teams

"""Argument helpers shared by the team commands."""

from django.core.management.base import CommandError

from accounts.models import User
from accounts.selectors import user_by_email
from teams.models import Team
from teams.selectors import team_by_identifier


def existing_team(identifier: str) -> Team:
    team = team_by_identifier(identifier)
    if team is None:
        raise CommandError(f"No team with identifier {identifier!r}.")
    return team


def existing_user(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise CommandError(f"No user with email {email!r}. Create one with create_user.")
    return user

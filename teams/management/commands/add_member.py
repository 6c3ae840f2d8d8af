from django.core.management.base import BaseCommand

from accounts.services import get_or_create_user
from api.commands import command_errors
from teams.management.commands._arguments import existing_team
from teams.models import Role
from teams.services import add_member


class Command(BaseCommand):
    help = "Add a user (created if missing) to a team, or change their role in it."

    def add_arguments(self, parser):
        parser.add_argument("team_id", metavar="TEAM_ID")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args, team_id, email, role, **options):
        team = existing_team(team_id)
        with command_errors():
            user, created = get_or_create_user(email=email)
            membership = add_member(team=team, user=user, role=role)
        note = " (new user, no password yet)" if created else ""
        self.stdout.write(f"{user.email} is {membership.role} of {team.identifier}{note}")

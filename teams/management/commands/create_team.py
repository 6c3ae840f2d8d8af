from django.core.management.base import BaseCommand

from api.commands import command_errors
from teams.management.commands._arguments import existing_user
from teams.services import create_team


class Command(BaseCommand):
    help = "Create a team owned by an existing user; prints the team identifier (UUID)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner", required=True, metavar="EMAIL")

    def handle(self, *args, name, owner, **options):
        user = existing_user(owner)
        with command_errors():
            team = create_team(name=name, owner=user)
        self.stdout.write(str(team.identifier))

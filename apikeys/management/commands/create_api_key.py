from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.commands import command_errors
from apikeys.scopes import validate_scopes
from apikeys.services import create_api_key
from teams.management.commands._arguments import existing_team, existing_user


class Command(BaseCommand):
    help = (
        "Issue an API key and print the raw key, alone, on stdout. It is shown only "
        "this once. Without --team the key is a legacy key reaching all the user's teams."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--team", metavar="TEAM_ID")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help="Repeatable; default stats:read:*. Use sites:provision:* to provision sites.",
        )
        parser.add_argument("--name", default="Created with manage.py")
        parser.add_argument(
            "--ip", action="append", dest="networks", metavar="CIDR", help="Repeatable."
        )
        parser.add_argument("--expires-in-days", type=int, metavar="DAYS")
        parser.add_argument(
            "--issued-by",
            metavar="EMAIL",
            help="Recorded as the key's issuer (created_by); default: nobody.",
        )

    def handle(
        self, *args, email, team, scopes, name, networks, expires_in_days, issued_by, **options
    ):
        if scopes is not None:
            # Before any lookup, so a typo is reported first and on its own.
            with command_errors():
                validate_scopes(scopes)
        user = existing_user(email)
        issuer = existing_user(issued_by) if issued_by is not None else None
        team_obj = existing_team(team) if team is not None else None
        expires_at = None
        if expires_in_days is not None:
            if expires_in_days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=expires_in_days)
        with command_errors():
            issued = create_api_key(
                user=user,
                team=team_obj,
                name=name,
                scopes=scopes,
                allowed_networks=networks,
                expires_at=expires_at,
                created_by=issuer,
                source="manage.py",
            )
        self.stdout.write(issued.raw_key)

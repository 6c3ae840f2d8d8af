from django.core.management.base import BaseCommand, CommandError

from api.commands import command_errors
from teams.management.commands._arguments import existing_team
from teams.models import Feature, all_features
from teams.services import UNCHANGED, set_team_entitlements


def non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a whole number.") from None
    if number < 0:
        raise CommandError(f"{value!r} must be zero or more.")
    return number


class Command(BaseCommand):
    help = "Change a team's features, rate limits, site limit or lock. Takes effect at once."

    def add_arguments(self, parser):
        parser.add_argument("team_id", metavar="TEAM_ID")
        features = parser.add_mutually_exclusive_group()
        features.add_argument(
            "--features",
            metavar="F,F,...",
            help=f"Set the feature set to exactly these (known: {', '.join(Feature.values)}); "
            "an empty string removes all.",
        )
        features.add_argument("--all-features", action="store_true")
        parser.add_argument("--hourly-limit", metavar="N")
        parser.add_argument("--burst-limit", metavar="N")
        parser.add_argument("--burst-period", metavar="SECONDS")
        parser.add_argument("--site-limit", metavar="N|none")
        lock = parser.add_mutually_exclusive_group()
        lock.add_argument("--lock", action="store_true")
        lock.add_argument("--unlock", action="store_true")

    def handle(self, *args, **options):
        team = existing_team(options["team_id"])
        features = None
        if options["all_features"]:
            features = all_features()
        elif options["features"] is not None:
            features = [f.strip() for f in options["features"].split(",") if f.strip()]

        site_limit = UNCHANGED
        if options["site_limit"] is not None:
            raw = options["site_limit"].strip().lower()
            site_limit = None if raw == "none" else non_negative(raw)

        def optional(name):
            return None if options[name] is None else non_negative(options[name])

        locked = True if options["lock"] else False if options["unlock"] else None
        with command_errors():
            team = set_team_entitlements(
                team=team,
                features=features,
                hourly_api_request_limit=optional("hourly_limit"),
                burst_request_limit=optional("burst_limit"),
                burst_period_seconds=optional("burst_period"),
                site_limit=site_limit,
                locked=locked,
            )
        self.stdout.write(
            f"{team.identifier}: features={','.join(team.features) or '-'} "
            f"hourly={team.hourly_api_request_limit} "
            f"burst={team.burst_request_limit}/{team.burst_period_seconds}s "
            f"site_limit={team.site_limit if team.site_limit is not None else 'none'} "
            f"locked={'yes' if team.locked else 'no'}"
        )

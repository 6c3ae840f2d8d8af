from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from teams.management.commands._arguments import existing_user

ISSUE, REVOKE = "add_apikey", "delete_apikey"


class Command(BaseCommand):
    help = (
        "Let a staff user issue and/or revoke API keys over HTTP (/api/v2/auth/keys), "
        "or take that away with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--issue-only", action="store_true", help="Issuing, not revoking.")
        parser.add_argument("--revoke-only", action="store_true", help="Revoking, not issuing.")
        parser.add_argument("--remove", action="store_true", help="Take the permissions away.")

    def handle(self, *args, email, issue_only, revoke_only, remove, **options):
        if issue_only and revoke_only:
            raise CommandError("--issue-only and --revoke-only exclude each other.")
        user = existing_user(email)
        if not user.is_staff and not remove:
            raise CommandError(f"{user.email} is not staff; create them with --staff first.")
        codenames = [ISSUE] if issue_only else [REVOKE] if revoke_only else [ISSUE, REVOKE]
        permissions = Permission.objects.filter(
            content_type__app_label="apikeys", codename__in=codenames
        )
        with transaction.atomic():
            if remove:
                user.user_permissions.remove(*permissions)
            else:
                user.user_permissions.add(*permissions)
        verb = "may no longer" if remove else "may now"
        actions = " and ".join("issue" if c == ISSUE else "revoke" for c in codenames)
        self.stdout.write(f"{user.email} {verb} {actions} API keys over HTTP.")

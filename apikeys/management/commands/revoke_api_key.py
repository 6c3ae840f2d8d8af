from django.core.management.base import BaseCommand, CommandError

from apikeys.keys import PREFIX_LENGTH
from apikeys.selectors import api_keys_with_prefix
from apikeys.services import revoke_api_key


class Command(BaseCommand):
    help = "Revoke the API key with this 6-character prefix. Takes effect on its next request."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        if len(prefix) != PREFIX_LENGTH:
            raise CommandError(f"A key prefix is exactly {PREFIX_LENGTH} characters.")
        candidates = list(api_keys_with_prefix(prefix))
        if not candidates:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        active = [key for key in candidates if key.revoked_at is None]
        if len(active) > 1:
            owners = ", ".join(f"{key.name} ({key.user.email})" for key in active)
            raise CommandError(
                f"{len(active)} active keys share prefix {prefix!r}: {owners}. "
                "Revoke the right one in the admin."
            )
        if not active:
            self.stdout.write(f"API key {prefix} was already revoked.")
            return
        revoke_api_key(api_key=active[0], source="manage.py")
        self.stdout.write(f"Revoked API key {prefix} ({active[0].name}, {active[0].user.email}).")

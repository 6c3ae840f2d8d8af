from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import create_user


class Command(BaseCommand):
    help = "Create a user who signs in with their email address."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Without it the user cannot sign in yet.")
        parser.add_argument("--staff", action="store_true", help="May use the admin.")
        parser.add_argument("--superuser", action="store_true", help="Every admin permission.")

    def handle(self, *args, email, password, staff, superuser, **options):
        try:
            if password is not None:
                validate_password(password)
            user = create_user(
                email=email, password=password, is_staff=staff, is_superuser=superuser
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(user.email)

from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand

from accounts.services import create_user
from api.commands import command_errors


class Command(BaseCommand):
    help = "Create a user who signs in with their email address."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Without it the user cannot sign in yet.")
        parser.add_argument("--staff", action="store_true", help="May use the admin.")
        parser.add_argument("--superuser", action="store_true", help="Every admin permission.")

    def handle(self, *args, email, password, staff, superuser, **options):
        with command_errors():
            if password is not None:
                validate_password(password)
            user = create_user(
                email=email, password=password, is_staff=staff, is_superuser=superuser
            )
        self.stdout.write(user.email)

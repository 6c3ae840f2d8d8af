from django.core.management.base import BaseCommand, CommandError

from accounts.services import get_or_create_user
from api.commands import command_errors
from sites.domains import lookup_domain
from sites.guest_services import add_guest, clean_guest_email, find_or_invite_guest
from sites.models import GuestRole, Site


class Command(BaseCommand):
    help = (
        "Make EMAIL a guest of the site DOMAIN (creating the user if missing), or with "
        "--invite send them a pending invitation instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("domain")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=GuestRole.values)
        parser.add_argument(
            "--invite", action="store_true", help="Email an invitation instead of adding them."
        )

    def handle(self, *args, domain, email, role, invite, **options):
        site = Site.objects.select_related("team").filter(domain=lookup_domain(domain)).first()
        if site is None:
            raise CommandError(f"No site with domain {domain!r}.")
        with command_errors():
            email = clean_guest_email(email)
            if invite:
                guest = find_or_invite_guest(site=site, email=email, role=role, inviter=None)
                self.stdout.write(
                    f"{guest.email} is {guest.status} as {guest.role} of {site.domain}"
                )
                return
            user, _ = get_or_create_user(email=email)
            membership = add_guest(site=site, user=user, role=role)
        self.stdout.write(f"{user.email} is a guest {membership.role} of {site.domain}")

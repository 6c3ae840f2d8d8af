from django.core.management.base import BaseCommand

from sites.guest_services import prune_expired_invitations


class Command(BaseCommand):
    help = (
        "Delete guest invitations older than GUEST_INVITATION_TTL_HOURS. Safe to run "
        "from cron; expired links are refused either way, this only tidies the list."
    )

    def handle(self, *args, **options):
        pruned = prune_expired_invitations()
        self.stdout.write(f"Pruned {pruned} expired invitation(s).")

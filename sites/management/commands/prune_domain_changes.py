from django.core.management.base import BaseCommand

from sites.services import prune_expired_domain_changes


class Command(BaseCommand):
    help = (
        "Forget previous domains whose 72-hour grace period is over, so they can be "
        "registered again. Safe to run from cron; the API also frees them on demand."
    )

    def handle(self, *args, **options):
        pruned = prune_expired_domain_changes()
        self.stdout.write(f"Pruned {pruned} previous domain(s).")

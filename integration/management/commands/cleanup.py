"""Delete sync runs, webhook deliveries and task results past their retention: `manage.py cleanup [--dry-run]`."""

from django.conf import settings
from django.core.management.base import BaseCommand

from integration.privacy.cleanup import KEYS, prune


class Command(BaseCommand):
    help = (
        "Delete sync runs with their events and webhook deliveries older than SILTA_RUN_RETENTION_DAYS "
        "(each tenant's latest run of each kind stays), and django-q2 task results older than "
        "SILTA_TASK_RETENTION_DAYS. The task cluster runs this nightly (schedule silta:cleanup)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, dry_run, **options):
        counts = prune(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"Retention: runs, events and webhook deliveries {settings.SILTA_RUN_RETENTION_DAYS} days, "
            f"task results {settings.SILTA_TASK_RETENTION_DAYS} days."
        )
        for key in KEYS:
            self.stdout.write(f"{key.replace('_', ' '):<20} {counts[key]:>8} {verb}")
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"{'Dry run: ' if dry_run else ''}{total} rows {verb}."))

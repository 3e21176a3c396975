"""Run a sync for one tenant from the terminal: `manage.py sync <tenant-slug> [--kind orders] [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from integration import jobs
from integration.models import SyncRun, Tenant
from integration.orders.transfer import transfer_orders
from integration.sync.article_sync import sync_articles

SHOWN = 100  # events printed; the admin has them all


class Command(BaseCommand):
    help = ("Sync a tenant's articles from eAccounting to its shop now (--dry-run prints the plan and writes "
            "nothing), or transfer its web orders to eAccounting (--kind orders).")

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the tenant's slug")
        parser.add_argument("--kind", choices=["articles", "orders"], default="articles", help="what to sync")
        parser.add_argument("--dry-run", action="store_true", help="plan only: print what would change")
        parser.add_argument("--full", action="store_true", help="read everything, not only what changed")
        parser.add_argument("--confirm-mass-change", action="store_true",
                            help="apply a run the mass-change guard stopped")  # fmt: skip

    def handle(self, *args, tenant, kind, dry_run, full, confirm_mass_change, **options):
        try:
            tenant = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant with slug “{tenant}”.") from None
        if not tenant.is_active:
            raise CommandError(f"The integration of {tenant.name} is not active: activate it first.")
        if kind == "orders" and dry_run:
            raise CommandError("--dry-run is for articles; orders waiting and why are in the admin (Order transfers).")
        lock, task = (jobs.ORDERS, "transfer_orders") if kind == "orders" else (jobs.CATALOGUE, "sync_articles")
        later = (f"integration.tasks.{task}", [tenant.pk, "manual"] + ([] if kind == "orders" else [full]), {})
        try:
            with jobs.hold(tenant, lock, then=later) as lease:
                if kind == "orders":
                    run = transfer_orders(tenant, trigger=SyncRun.Trigger.MANUAL, lease=lease)
                else:
                    run = sync_articles(tenant, trigger=SyncRun.Trigger.MANUAL, dry_run=dry_run, full=full,
                                        confirm_mass_change=confirm_mass_change, lease=lease)  # fmt: skip
        except jobs.LeaseTaken as busy:
            raise CommandError(f"{busy} (queued for the task cluster)") from None
        events = run.events.all()
        for event in events[:SHOWN]:
            changes = ", ".join(f"{k}: {v[0]} → {v[-1]}" for k, v in event.fields.items())
            self.stdout.write(f"{event.get_outcome_display():<32} {event.item:<20} {changes or event.reason}")
        if (more := events.count() - SHOWN) > 0:
            self.stdout.write(f"… and {more} more: see the run in the admin (Sync runs).")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
        style = self.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.style.WARNING
        self.stdout.write(style(f"{run.get_status_display()}{' (dry run)' if dry_run else ''}: {summary or 'no changes'}"))
        if run.error:
            self.stdout.write(run.error)

"""Run a sync for one tenant from the terminal: `manage.py sync <tenant-slug> [--kind orders] [--dry-run]`."""

import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from integration import tasks
from integration.models import SyncRun, Tenant
from integration.orders.transfer import transfer_orders
from integration.people import audit
from integration.scheduling import manual
from integration.sync.article_sync import sync_articles
from integration.visma_webshop.availability import keep
from integration.visma_webshop.conversion import convert_orders
from integration.work import leases as jobs
from integration.work.registry import Call

SHOWN = 100  # events printed; the admin has them all


def bar(done: int, total: int | None, width: int = 30) -> str:
    """`[#####.........] 312/10000`; without a total the count alone."""
    if not total:
        return f"[{'?' * width}] {done}"
    filled = min(width, done * width // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class ProgressBar(threading.Thread):
    """Draws the progress of the run this command started, read from the database every 0.5 s."""

    def __init__(self, write, tenant, kind, dry_run, interval=0.5):
        super().__init__(daemon=True)
        self.write, self.interval, self.done = write, interval, threading.Event()
        self.runs = SyncRun.objects.filter(
            tenant=tenant, kind=kind, dry_run=dry_run, started_at__gte=timezone.now()
        )

    def draw(self):
        run = self.runs.order_by("-started_at").values("progress_done", "progress_total").first()
        if run:
            self.write(f"\r{bar(run['progress_done'], run['progress_total'])}")

    def run(self):
        try:
            while not self.done.wait(self.interval):
                self.draw()
            self.draw()  # the final figures
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.done.set()
        self.join()
        self.write("\n")


class Command(BaseCommand):
    help = (
        "Sync a tenant's articles from eAccounting to its shop now (--dry-run prints the plan and writes "
        "nothing), or transfer its web orders to eAccounting (--kind orders)."
    )

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the tenant's slug")
        parser.add_argument(
            "--kind",
            choices=["articles", "orders", "availability", "webshop_orders"],
            default="articles",
            help="what to sync (the last two: Visma Verkkokauppa tenants' rules and order conversion)",
        )
        parser.add_argument("--dry-run", action="store_true", help="plan only: print what would change")
        parser.add_argument("--full", action="store_true", help="read everything, not only what changed")
        parser.add_argument(
            "--confirm-mass-change", action="store_true", help="apply a run the mass-change guard stopped"
        )

    def _draw(self, text):
        self.stderr.write(text, style_func=str, ending="")
        self.stderr.flush()

    def handle(self, *args, tenant, kind, dry_run, full, confirm_mass_change, **options):
        try:
            tenant = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant with slug “{tenant}”.") from None
        if not tenant.is_active:
            raise CommandError(f"The integration of {tenant.name} is not active: activate it first.")
        if kind != "articles" and dry_run:
            raise CommandError("--dry-run is for articles; what waits and why is in the admin.")
        lock, task = {
            "orders": (jobs.ORDERS, tasks.transfer_orders),
            "webshop_orders": (jobs.ORDERS, tasks.convert_webshop_orders),
            "availability": (jobs.CATALOGUE, tasks.keep_availability),
        }.get(kind, (jobs.CATALOGUE, tasks.sync_articles))
        confirming = confirm_mass_change and kind == "articles" and not dry_run
        later = Call(
            task.path,
            (tenant.pk, "manual", *([full] if kind == "articles" else []), *([True] if confirming else [])),
            {},
        )
        if confirming:
            waiting = manual.mass_change_waiting(tenant)
            audit.record(
                tenant,
                None,
                audit.Action.CONFIRMED_MASS_CHANGE,
                str(waiting) if waiting else "Article sync",
                waiting.error if waiting else "",
                username="manage.py sync",
            )
        progress = None
        if self.stderr.isatty():  # a person watching: a progress bar; logs and tests stay clean
            run_kind = {
                "orders": SyncRun.Kind.ORDERS,
                "webshop_orders": SyncRun.Kind.WEBSHOP_ORDERS,
                "availability": SyncRun.Kind.AVAILABILITY,
            }.get(kind, SyncRun.Kind.STOCK if full else SyncRun.Kind.ARTICLES)
            progress = ProgressBar(self._draw, tenant, run_kind, dry_run)
            progress.start()
        try:
            with jobs.hold(tenant, lock, then=later) as lease:
                if kind == "orders":
                    run = transfer_orders(tenant, trigger=SyncRun.Trigger.MANUAL, lease=lease)
                elif kind == "webshop_orders":
                    run = convert_orders(tenant, trigger=SyncRun.Trigger.MANUAL, lease=lease)
                elif kind == "availability":
                    run = keep(tenant, trigger=SyncRun.Trigger.MANUAL)
                else:
                    run = sync_articles(
                        tenant,
                        trigger=SyncRun.Trigger.MANUAL,
                        dry_run=dry_run,
                        full=full,
                        confirm_mass_change=confirm_mass_change,
                        lease=lease,
                    )
        except jobs.LeaseTaken as busy:
            raise CommandError(f"{busy} (queued for the task cluster)") from None
        finally:
            if progress is not None:
                progress.stop()
        if run is None:
            raise CommandError("Nothing to do: no rules applied yet, or order conversion is off.")
        events = run.events.all()
        for event in events[:SHOWN]:
            changes = ", ".join(f"{k}: {v[0]} → {v[-1]}" for k, v in event.fields.items())
            self.stdout.write(f"{event.get_outcome_display():<32} {event.item:<20} {changes or event.reason}")
        if (more := events.count() - SHOWN) > 0:
            self.stdout.write(f"… and {more} more: see the run in the admin (Sync runs).")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
        style = self.style.SUCCESS if run.status == SyncRun.Status.SUCCEEDED else self.style.WARNING
        self.stdout.write(
            style(f"{run.get_status_display()}{' (dry run)' if dry_run else ''}: {summary or 'no changes'}")
        )
        if run.error:
            self.stdout.write(run.error)

"""Thin django-q2 entry points. Business logic lives elsewhere; these only load and call.

Each is a registered task (integration/work/registry.py): enqueue it by reference, `sync_articles.enqueue(...)`.
Their dotted paths (`integration.tasks.<name>`) are stored in django-q2's rows: keep the names and this module.
"""

import logging

from integration.work import leases as jobs
from integration.work.registry import Call, Queue, task

from .webshops.base import AuthenticationFailed, InsecureURL, ReadOnlyKey

log = logging.getLogger(__name__)


def paused(tenant) -> str:
    """Why the tenant's jobs wait for a person ("" when they may run): a connection to make again."""
    from .models import ConnectionStatus

    for name, system in (("eaccounting_connection", "eAccounting"), ("webshop_connection", "the webshop")):
        connection = getattr(tenant, name, None)
        if connection is not None and connection.status == ConnectionStatus.NEEDS_RECONNECT:
            return f"paused: {system} needs reconnecting"
    return ""


def _held(tenant, lock, this: Call, body, idle="nothing to do") -> str:
    """Run `body(lease)` holding the tenant's `lock` lease; a taken lease queues `this` for later.
    A body that records no run returns None: `idle` says why."""
    try:
        with jobs.hold(tenant, lock, then=this) as lease:
            run_record = body(lease)
    except jobs.LeaseTaken as busy:
        return str(busy)
    except (AuthenticationFailed, ReadOnlyKey, InsecureURL) as exc:  # InsecureURL: the address policy refused
        return _shop_refused(tenant, exc)
    if run_record is None:
        return idle
    return f"{run_record.get_status_display()}: {run_record.counts}"


def _shop_refused(tenant, exc) -> str:
    from integration.webshops.setup import mark_needs_reconnect

    mark_needs_reconnect(tenant.webshop_connection, str(exc))
    return f"paused: {exc}"


@task()
def ping() -> str:
    """A no-op task: proves a cluster picks up work (smoke tests, health checks)."""
    return "pong"


@task(Queue.ORDERS)
def handle_webhook(tenant_id: int, topic: str, resource_id: str) -> str:
    """A shop told us an order changed: it goes over now. (Product deliveries queue nothing: the next
    article sync reads the shop's changed products. A product's task queued before that change
    still finishes here, doing nothing.)"""
    log.info("webhook %s for tenant %s, resource %s", topic, tenant_id, resource_id)
    if topic.startswith("order.") and resource_id.isdigit():
        return transfer_orders(tenant_id, "webhook", [int(resource_id)])
    return f"{topic} {resource_id}"


@task(Queue.ORDERS)
def transfer_orders(tenant_id: int, trigger: str = "schedule", order_ids: list[int] | None = None) -> str:
    """Web orders into eAccounting for one tenant: new ones since the last run (or `order_ids`), and waiting ones."""
    from .orders.transfer import transfer_orders as run

    if order_ids is None and trigger == "schedule":
        from .scheduling import order_polls

        if jobs.join(tenant_id, jobs.ORDERS, None, start=False):
            return "joined the order run already waiting"  # it polls when it starts: one run, not two
        if not order_polls.due(tenant_id):
            return "the shop's webhooks bring the orders; polled again later"
    this = transfer_orders.later(tenant_id, trigger, order_ids)
    return _tenant_job(
        tenant_id,
        jobs.ORDERS,
        this,
        lambda tenant, lease: run(
            tenant, trigger=trigger, order_ids=_with_joined(order_ids, lease.waiting), lease=lease
        ),
        "",
    )


def _with_joined(order_ids: list[int] | None, waiting: jobs.Waiting | None) -> list[int] | None:
    """This run's orders and those joined to it while it waited (None: every order changed, a poll)."""
    if waiting is None:
        return order_ids
    if order_ids is None or waiting.ids is None:
        return None
    return sorted({*map(int, order_ids), *waiting.ids})


def queue_webhook(tenant_id: int, topic: str, resource_id: str) -> bool:
    """Queue the work of a webhook delivery, in the transaction that records it. An order's joins the
    tenant's order run already waiting, if one is (that run takes this order too when it starts):
    a busy shop's webhooks make one run, not one each. True when a task was queued."""
    if topic.startswith("order.") and resource_id.isdigit():
        if jobs.join(tenant_id, jobs.ORDERS, [int(resource_id)]):
            return False
    handle_webhook.enqueue(tenant_id, topic, resource_id)
    return True


@task()
def check_webhooks(tenant_id: int) -> list[str]:
    """Re-enable webhooks the shop disabled and recreate missing ones."""
    from integration.models import Tenant
    from integration.webshops.setup import check_webhooks as check

    tenant = Tenant.objects.select_related("webshop_connection").get(pk=tenant_id)
    if reason := paused(tenant):  # a refused address or key is not called again until reconnected
        return [reason]
    try:
        return check(tenant_id)
    except (AuthenticationFailed, ReadOnlyKey, InsecureURL) as exc:
        return [_shop_refused(tenant, exc)]


@task()
def sync_articles(
    tenant_id: int, trigger: str = "schedule", full: bool = False, confirm_mass_change: bool = False
) -> str:
    """Article sync eAccounting → shop for one tenant (`full`: the stock reconcile, reading everything;
    `confirm_mass_change`: an owner confirmed the prices the mass-change guard held)."""
    from .models import FirstSync, Tenant
    from .sync.article_sync import FIRST_SYNC_FINISHED
    from .sync.article_sync import sync_articles as run

    tenant = Tenant.objects.get(pk=tenant_id)
    if not tenant.is_active:
        return "not active"
    if reason := paused(tenant):
        return reason
    if (
        trigger == "schedule"
        and not FirstSync.objects.filter(tenant=tenant, status__in=FIRST_SYNC_FINISHED).exists()
    ):
        return "waiting for the first sync"  # a person has to look at the preview first; no run to record
    # a confirming run that finds the lease taken still confirms when it runs later
    this = (
        sync_articles.later(tenant_id, trigger, full, True)
        if confirm_mass_change
        else sync_articles.later(tenant_id, trigger, full)
    )
    return _held(
        tenant,
        jobs.CATALOGUE,
        this,
        lambda lease: run(
            tenant, trigger=trigger, full=full, confirm_mass_change=confirm_mass_change, lease=lease
        ),
    )


@task()
def keep_availability(tenant_id: int, trigger: str = "schedule") -> str:
    """Visma Verkkokauppa: the applied availability rules again, for new and changed articles."""
    from .visma_webshop.availability import keep

    this = keep_availability.later(tenant_id, trigger)
    return _tenant_job(
        tenant_id,
        jobs.CATALOGUE,
        this,
        lambda tenant, lease: keep(tenant, trigger=trigger),
        "no rules applied yet",
    )


@task()
def apply_availability(tenant_id: int, turn_off: bool, preview_at: str) -> str:
    """Visma Verkkokauppa: what the owner's preview (made at `preview_at`) showed, applied; its rules become
    the tenant's."""
    from .models import Tenant
    from .visma_webshop.availability import apply_preview

    tenant = Tenant.objects.get(pk=tenant_id)
    this = apply_availability.later(tenant_id, turn_off, preview_at)
    return _held(
        tenant,
        jobs.CATALOGUE,
        this,
        lambda lease: apply_preview(tenant, turn_off=turn_off, preview_at=preview_at),
        "that preview was replaced or already applied",
    )


@task(Queue.ORDERS)
def convert_webshop_orders(tenant_id: int, trigger: str = "schedule") -> str:
    """Visma Verkkokauppa: webshop orders into paid invoices, each once (only when the owner opted in)."""
    from .visma_webshop.conversion import convert_orders

    this = convert_webshop_orders.later(tenant_id, trigger)
    return _tenant_job(
        tenant_id,
        jobs.ORDERS,
        this,
        lambda tenant, lease: convert_orders(tenant, trigger=trigger, lease=lease),
        "conversion is off",
    )


def _tenant_job(tenant_id: int, lock, this: Call, body, idle: str) -> str:
    """A scheduled job of an active, unpaused tenant, run by `body(tenant, lease)` under its lease."""
    from .models import Tenant

    tenant = Tenant.objects.get(pk=tenant_id)
    reason = "not active" if not tenant.is_active else paused(tenant)
    if reason:
        jobs.drop_waiting(tenant_id, lock)  # nothing runs now; what joined is polled once it may run again
        return reason
    return _held(tenant, lock, this, lambda lease: body(tenant, lease), idle)


@task()
def first_sync_step(first_sync_id: int, step: str) -> str:
    """Prepare the preview ("preview"), apply it ("create", "overwrite") or undo it ("undo")."""
    from .models import FirstSync

    first = FirstSync.objects.select_related("tenant").get(pk=first_sync_id)
    this = first_sync_step.later(first_sync_id, step)
    try:
        with jobs.hold(first.tenant, jobs.CATALOGUE, then=this):
            return _first_sync_step(first, step)
    except jobs.LeaseTaken as busy:
        return str(busy)


def _first_sync_step(first, step: str) -> str:
    from django.conf import settings

    from .models import FirstSync
    from .sync import first_sync

    try:
        if step == "preview":
            first_sync.preview(first.tenant, first)
        elif step in ("create", "overwrite"):
            first_sync.apply(first, overwrite=step == "overwrite", seconds=settings.SILTA_TASK_SLICE_SECONDS)
            first.refresh_from_db()
            if first.status == FirstSync.Status.APPLYING:  # time is up for this task: the next one goes on
                first_sync_step.enqueue(first.pk, step)
        elif step == "undo":
            first_sync.undo(first)
        else:
            raise ValueError(f"unknown first sync step {step!r}")
    except Exception as exc:
        # Settle on what was really done, with the reason, so a person can go on; the task fails too.
        first.refresh_from_db()
        first.error = f"{exc.__class__.__name__}: {exc}"
        if step == "preview":
            first.status = FirstSync.Status.PREVIEW
            first.save(update_fields=["status", "error", "updated_at"])
        else:
            first_sync.settle(first)
        raise
    first.refresh_from_db()
    return first.get_status_display()


@task()
def probe_eaccounting(report_id: int) -> str:
    """Run a probe queued from the admin (superusers); the report shows its progress and findings."""
    from .models import ProbeReport
    from .probe import run

    report = ProbeReport.objects.select_related("tenant__eaccounting_connection").get(pk=report_id)
    report = run.run(report)
    return f"probe {report.pk}: {report.status}, {report.request_count} requests"


@task()
def books_check(check_id: int) -> str:
    """Read one month of a company from the shop and eAccounting and compare them (writes to neither)."""
    from django.utils import timezone

    from .models import BooksCheck
    from .orders import books_check as compare
    from .orders import books_reader

    check = BooksCheck.objects.select_related("tenant").get(pk=check_id)

    def progress(done: int, total: int, what: str) -> None:
        BooksCheck.objects.filter(pk=check.pk).update(
            progress_done=done, progress_total=total, progress_text=what
        )

    try:
        report = books_reader.read(check.tenant, check.period, progress)
    except Exception as exc:  # the page shows why; nothing was written anywhere
        log.exception("books check %s failed", check_id)
        BooksCheck.objects.filter(pk=check.pk).update(
            status=BooksCheck.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return f"failed: {exc}"
    rows = compare.to_rows(report)
    BooksCheck.objects.filter(pk=check.pk).update(
        status=BooksCheck.Status.DONE,
        rows=rows,
        differences=report.differences,
        csv=compare.to_csv(rows),
        orders=len(report.orders),
        finished_at=timezone.now(),
    )
    return f"{len(report.orders)} orders, {len(report.differences)} differences"

"""What a person starts by hand: *Sync now*, and the catalogue run waiting for their confirmation."""

from integration import tasks
from integration.models import SyncRun, Tenant
from integration.scheduling import schedules

CATALOGUE_KINDS = (SyncRun.Kind.ARTICLES, SyncRun.Kind.STOCK)  # both sync articles; the stock run reads all


def mass_change_waiting(tenant: Tenant) -> SyncRun | None:
    """The tenant's catalogue run that the mass-change guard stopped, while it is the latest one."""
    last = (
        SyncRun.objects.filter(tenant=tenant, kind__in=CATALOGUE_KINDS, dry_run=False)
        .order_by("-started_at")
        .first()
    )
    return last if last is not None and last.status == SyncRun.Status.NEEDS_CONFIRMATION else None


def sync_now(tenant: Tenant) -> bool:
    """*Sync now*: the tenant's scheduled jobs (article sync and order transfer; for Visma Verkkokauppa the
    rules and the conversion), enqueued once the transaction commits.

    False (nothing enqueued) when the integration is not active."""
    if not tenant.is_active:
        return False
    runs = dict.fromkeys(
        task for task, _ in schedules.jobs_for(tenant).values()
    )  # stock: the article sync again
    for task in runs:
        if task is not tasks.check_webhooks:
            task.enqueue(tenant.pk, "manual")
    return True

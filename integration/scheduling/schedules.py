"""Each active tenant's django-q2 schedules, kept in step by name (django-q2 has no unique key).

The interval of each job is the tenant's own (JobSchedule, editable in the admin) unless the
shared eAccounting budget needs it longer (budget_plan.py); `replan` applies the budget to every
tenant as tenants come and go and catalogues grow. Tenants' runs are spread over the interval
(a fixed phase per tenant), so a thousand tenants do not all start on the minute. A job asked
for daily at a time of day (JobSchedule.daily_at) is a django-q2 DAILY schedule whose next run is
that time in the company's time zone (Tenant.time_zone).
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_q.models import Schedule

from integration import tasks
from integration.eaccounting import contract
from integration.models import AccountingArticle, JobSchedule, SyncRun, Tenant, WebshopConnection
from integration.scheduling import budget_plan, presets
from integration.work.registry import Task

# job: (task, keyword arguments)
Job = tuple[Task, dict[str, object]]
JOBS: dict[str, Job] = {
    "articles": (tasks.sync_articles, {"trigger": "schedule"}),
    "stock": (tasks.sync_articles, {"trigger": "schedule", "full": True}),
    "orders": (tasks.transfer_orders, {"trigger": "schedule"}),
    "webhooks": (tasks.check_webhooks, {}),
}
# Visma's own link moves articles and stock to Visma Verkkokauppa; Silta keeps the flag and converts orders
VISMA_WEBSHOP_JOBS: dict[str, Job] = {
    "availability": (tasks.keep_availability, {"trigger": "schedule"}),
    "webshop_orders": (tasks.convert_webshop_orders, {"trigger": "schedule"}),
}


def jobs_for(tenant: Tenant) -> dict[str, Job]:
    shop = WebshopConnection.objects.filter(tenant=tenant).values_list("platform", flat=True).first()
    return VISMA_WEBSHOP_JOBS if shop == WebshopConnection.Platform.VISMA_WEBSHOP else JOBS


GOLDEN = 0.6180339887  # successive tenant ids land far apart in the interval


def name(tenant_id: int, job: str) -> str:
    return f"silta:{tenant_id}:{job}"


def phase(tenant_id: int, minutes: int) -> timedelta:
    """Where in each interval this tenant's job starts."""
    return timedelta(minutes=minutes * ((tenant_id * GOLDEN) % 1))


def current_plan(tenant: Tenant | None = None) -> budget_plan.BudgetPlan:
    """The budget plan for all active tenants (or, when each company has a budget of its own, for `tenant`)."""
    terms = contract.current()
    active = Tenant.objects.filter(is_active=True)
    if terms.per_company and tenant is not None:
        active = active.filter(pk=tenant.pk)
    sizes = dict(
        AccountingArticle.objects.filter(tenant__in=active).values_list("tenant").annotate(n=Count("pk"))
    )
    counts = [sizes.get(pk, 0) for pk in active.values_list("pk", flat=True)]
    per_minute = terms.rate_limit * 60 / terms.rate_window
    return budget_plan.plan(
        counts,
        page_size=terms.page_size,
        limit_per_minute=per_minute,
        workers=settings.Q_CLUSTER["workers"],
        run_seconds=mean_run_seconds(),
    )


RUNS_MEASURED = 200  # the latest runs of each kind the queue's load is estimated from


def mean_run_seconds() -> dict[str, float]:
    """Mean length (seconds) of the latest finished scheduled `articles` and `stock` runs, all
    tenants together: what a scheduled catalogue job holds a worker for."""
    kinds = {"articles": SyncRun.Kind.ARTICLES, "stock": SyncRun.Kind.STOCK}
    out = {}
    for job, kind in kinds.items():
        latest = (
            SyncRun.objects.filter(kind=kind, trigger=SyncRun.Trigger.SCHEDULE, finished_at__isnull=False)
            .order_by("-started_at")
            .values_list("started_at", "finished_at")[:RUNS_MEASURED]
        )
        lengths = [(end - start).total_seconds() for start, end in latest if end is not None]
        if lengths:
            out[job] = sum(lengths) / len(lengths)
    return out


def ensure(tenant: Tenant, plan: budget_plan.BudgetPlan | None = None) -> dict[str, int]:
    """Create or correct the tenant's schedules; returns each job's interval in minutes."""
    plan = plan or current_plan(tenant)
    jobs = jobs_for(tenant)
    rows = {w.job: w for w in JobSchedule.objects.filter(tenant=tenant, job__in=jobs)}
    for job in jobs.keys() - rows.keys():
        rows[job] = JobSchedule.objects.get_or_create(
            tenant=tenant, job=job, defaults={"minutes": budget_plan.DEFAULT_MINUTES[job]}
        )[0]
    now, intervals = timezone.now(), {}
    before = {
        s.name: s
        for s in Schedule.objects.filter(name__startswith=f"silta:{tenant.pk}:").only(
            "name", "schedule_type", "minutes", "next_run"
        )
    }
    Schedule.objects.filter(
        name__in=[n for n in before if n.rsplit(":", 1)[1] not in jobs]
    ).delete()  # other platform's
    for job, (task, kwargs) in jobs.items():
        row = rows[job]
        wanted = max(row.minutes, presets.floor(job).minutes)  # a row from before the floors
        minutes = intervals[job] = plan.minutes(job, wanted)
        fields: dict[str, object] = {
            "func": task.path,
            "args": repr((tenant.pk,)),
            "kwargs": repr(kwargs),
            "cluster": task.cluster(),
            "repeats": -1,
        }
        old = before.get(name(tenant.pk, job))
        if minutes == presets.DAILY and row.daily_at is not None:
            # django-q2's DAILY keeps the wall-clock time over DST in the installation's zone; the
            # hourly replan puts it back on the company's time should its zone change otherwise
            fields.update(schedule_type=Schedule.DAILY, minutes=None)
            on_time = (
                old is not None
                and old.schedule_type == Schedule.DAILY
                and old.next_run is not None
                and old.next_run.astimezone(tenant.zone).time().replace(second=0, microsecond=0)
                == row.daily_at.replace(second=0, microsecond=0)
            )
            if not on_time:
                fields["next_run"] = next_at(row.daily_at, tenant.zone, now)
        else:
            fields.update(schedule_type=Schedule.MINUTES, minutes=minutes)
            if old is None or old.schedule_type != Schedule.MINUTES or old.minutes != minutes:
                fields["next_run"] = now + phase(tenant.pk, minutes)  # the tenant's place in the interval
        Schedule.objects.update_or_create(name=name(tenant.pk, job), defaults=fields)
    return intervals


def next_at(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The next `at` o'clock in `zone` after `now` (aware; a time skipped by DST runs an hour later)."""
    local = now.astimezone(zone)
    for day in (local.date(), local.date() + timedelta(days=1)):
        candidate = datetime.combine(day, at, tzinfo=zone)
        candidate = candidate.astimezone(UTC).astimezone(zone)  # a nonexistent time moves forward
        if candidate > local:
            return candidate
    raise AssertionError("unreachable: tomorrow's time is always after now")


def replan() -> budget_plan.BudgetPlan:
    """Every active tenant's intervals again, from the present budget plan (hourly, silta:replan)."""
    plan = current_plan()
    plan_is_per_company = contract.current().per_company
    for tenant in Tenant.objects.filter(is_active=True):
        ensure(tenant, None if plan_is_per_company else plan)
    return plan


def remove(tenant_id: int) -> int:
    return Schedule.objects.filter(name__startswith=f"silta:{tenant_id}:").delete()[0]

"""Each active tenant's django-q2 schedules, kept in step by name (django-q2 has no unique key)."""

from django_q.models import Schedule

from .models import Tenant

# (job, task, minutes, keyword arguments)
JOBS = [
    ("articles", "integration.tasks.sync_articles", 10, {"trigger": "schedule"}),
    ("stock", "integration.tasks.sync_articles", 60, {"trigger": "schedule", "full": True}),
    ("orders", "integration.tasks.transfer_orders", 5, {"trigger": "schedule"}),
    ("webhooks", "integration.tasks.check_webhooks", 24 * 60, {}),
]


def name(tenant_id: int, job: str) -> str:
    return f"silta:{tenant_id}:{job}"


def ensure(tenant: Tenant) -> None:
    """Create or correct the tenant's schedules; intervals changed in the admin are kept."""
    for job, func, minutes, kwargs in JOBS:
        schedule, created = Schedule.objects.update_or_create(
            name=name(tenant.pk, job),
            defaults={"func": func, "args": repr((tenant.pk,)), "kwargs": repr(kwargs),
                      "schedule_type": Schedule.MINUTES, "repeats": -1},
        )
        if created or not schedule.minutes:
            schedule.minutes = minutes
            schedule.save(update_fields=["minutes"])


def remove(tenant_id: int) -> int:
    return Schedule.objects.filter(name__startswith=f"silta:{tenant_id}:").delete()[0]

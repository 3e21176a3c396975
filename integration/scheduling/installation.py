"""Installation-wide schedules, kept by `migrate`: the nightly cleanup (silta:cleanup), the
hourly budget replan (silta:replan, every tenant's intervals within eAccounting's shared budget)
and the daily pruning of customers' personal data past each tenant's retention
(silta:prune-personal-data).

Created once by name after every migrate; an interval or time changed in the admin is kept, only
the task it runs is put right. Per-tenant schedules are integration/scheduling/schedules.py's.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from integration.scheduling import ops_tasks

CLEANUP = "silta:cleanup"
CLEANUP_TASK = ops_tasks.cleanup.path
CLEANUP_AT = time(3, 0)  # local time (TIME_ZONE)
REPLAN = "silta:replan"
REPLAN_TASK = ops_tasks.replan_schedules.path
PRUNE_PERSONAL_DATA = "silta:prune-personal-data"
PRUNE_PERSONAL_DATA_TASK = ops_tasks.prune_personal_data.path
PRUNE_PERSONAL_DATA_AT = time(3, 30)  # after the cleanup: fewer rows to look at


def next_at(at: time, now: datetime | None = None) -> datetime:
    """The next `at` o'clock in local time, after `now`."""
    local = timezone.localtime(now or timezone.now())
    candidate = timezone.make_aware(datetime.combine(local.date(), at), local.tzinfo)
    if candidate <= local:
        candidate = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), at), local.tzinfo)
    return candidate


def ensure_schedules(sender=None, apps=None, using="default", **kwargs):
    """post_migrate receiver (also callable directly): each installation schedule exists exactly once."""
    if apps is None:
        from django.apps import apps
    try:
        Schedule = apps.get_model("django_q", "Schedule")
    except LookupError:  # django_q not migrated (yet): the next migrate creates it
        return
    schedules = Schedule.objects.using(using)
    wanted = {
        CLEANUP: (CLEANUP_TASK, {"schedule_type": "D", "next_run": next_at(CLEANUP_AT)}),  # Schedule.DAILY
        REPLAN: (REPLAN_TASK, {"schedule_type": "I", "minutes": 60, "next_run": timezone.now()}),  # MINUTES
        PRUNE_PERSONAL_DATA: (
            PRUNE_PERSONAL_DATA_TASK,
            {"schedule_type": "D", "next_run": next_at(PRUNE_PERSONAL_DATA_AT)},
        ),  # DAILY
    }
    for name, (func, timing) in wanted.items():
        extra = schedules.filter(name=name).order_by("pk").values_list("pk", flat=True)[1:]
        schedules.filter(pk__in=list(extra)).delete()  # a copy made by hand would run it twice
        schedules.update_or_create(
            name=name,
            defaults={"func": func},
            create_defaults={"func": func, "args": None, "kwargs": None, "repeats": -1, **timing},
        )

"""Installation-wide schedules, kept by `migrate`: the nightly cleanup (silta:cleanup).

Created once by name after every migrate; an interval or time changed in the admin is kept, only
the task it runs is put right. Per-tenant schedules are integration/schedules.py's.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

CLEANUP = "silta:cleanup"
CLEANUP_TASK = "integration.ops_tasks.cleanup"
CLEANUP_AT = time(3, 0)  # local time (TIME_ZONE)


def next_at(at: time, now: datetime | None = None) -> datetime:
    """The next `at` o'clock in local time, after `now`."""
    local = timezone.localtime(now or timezone.now())
    candidate = timezone.make_aware(datetime.combine(local.date(), at), local.tzinfo)
    if candidate <= local:
        candidate = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), at), local.tzinfo)
    return candidate


def ensure_schedules(sender=None, apps=None, using="default", **kwargs):
    """post_migrate receiver (also callable directly): the cleanup schedule exists exactly once."""
    if apps is None:
        from django.apps import apps
    try:
        Schedule = apps.get_model("django_q", "Schedule")
    except LookupError:  # django_q not migrated (yet): the next migrate creates it
        return
    schedules = Schedule.objects.using(using)
    extra = schedules.filter(name=CLEANUP).order_by("pk").values_list("pk", flat=True)[1:]
    schedules.filter(pk__in=list(extra)).delete()  # a copy made by hand would run the cleanup twice
    schedules.update_or_create(
        name=CLEANUP,
        defaults={"func": CLEANUP_TASK},
        create_defaults={"func": CLEANUP_TASK, "args": None, "kwargs": None, "schedule_type": "D",  # Schedule.DAILY
                         "repeats": -1, "next_run": next_at(CLEANUP_AT)},
    )

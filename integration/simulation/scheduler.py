"""django-q2's scheduler on a scaled clock: the tenants' Schedule rows (intervals and phases as
schedules.py set them) fire `scale` times faster, enqueued as the cluster's scheduler would."""

import ast
import heapq
import threading
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

TENANT_JOBS = r"^silta:\d+:"


class ScaledScheduler:
    def __init__(self, scale: float):
        now, self.scale = timezone.now(), scale
        self.queue, self.fired = [], 0
        for s in Schedule.objects.filter(name__regex=TENANT_JOBS):
            phase = max(0.0, (s.next_run - now).total_seconds()) / scale
            kwargs = {
                **ast.literal_eval(s.kwargs or "{}"),
                "cluster": s.cluster,
            }  # the queue, as the scheduler sends it
            heapq.heappush(
                self.queue,
                (phase, s.pk, s.minutes * 60 / scale, s.func, ast.literal_eval(s.args or "()"), kwargs),
            )
        # the cluster's own scheduler must not run them at real time too
        Schedule.objects.filter(name__regex=TENANT_JOBS).update(next_run=now + timedelta(days=365))
        self.stop = threading.Event()

    def run(self, started: float) -> None:
        """Enqueue due schedules until stopped; `started`: the monotonic time the clock began."""
        try:
            while not self.stop.is_set():
                due, pk, interval, func, args, kwargs = self.queue[0]
                wait = started + due - time.monotonic()
                if wait > 0:
                    self.stop.wait(min(wait, 0.5))
                    continue
                heapq.heapreplace(self.queue, (due + interval, pk, interval, func, args, kwargs))
                async_task(func, *args, **kwargs)
                self.fired += 1
        finally:
            connection.close()

"""/healthz: is the database reachable, and is a django-q2 cluster alive?

The status (ok/fail, 200/503) is for everyone, the load balancer too; the parts (queue length,
clusters, error names) only for a request with ``SILTA_HEALTH_TOKEN``."""

import hmac

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.status import Stat

from integration.work.backlog import backlogs


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure to reach the database is "down"
        return {"ok": False, "error": exc.__class__.__name__}


def _queue():
    try:
        clusters = (
            Stat.get_all()
        )  # read from the shared cache (or Redis), where clusters report every few seconds
        queued = OrmQ.objects.count() if settings.Q_CLUSTER.get("orm") else get_broker().queue_size()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    backlog = {
        b.queue: b.as_json() for b in backlogs()
    }  # per queue: waiting, oldest's age (a backlog shows here first)
    if not clusters:
        return {"ok": False, "error": "no cluster is running", "queued": queued, "backlog": backlog}
    return {"ok": True, "clusters": len(clusters), "queued": queued, "backlog": backlog}


@never_cache
@require_GET
def healthz(request):
    database = _database()
    queue = _queue() if database["ok"] else {"ok": False, "error": "database down"}
    healthy = database["ok"] and queue["ok"]
    answer = {"status": "ok" if healthy else "fail"}
    if _may_see_details(request):
        answer.update(database=database, queue=queue)
    return JsonResponse(answer, status=200 if healthy else 503)


def _may_see_details(request) -> bool:
    token = settings.SILTA_HEALTH_TOKEN
    given = request.headers.get("X-Health-Token") or request.GET.get("token") or ""
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())

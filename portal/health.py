"""/healthz: is the database reachable, and is a django-q2 cluster alive?"""

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
        clusters = Stat.get_all()  # read from the shared cache (or Redis), where clusters report every few seconds
        queued = OrmQ.objects.count() if settings.Q_CLUSTER.get("orm") else get_broker().queue_size()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    backlog = {b.queue: b.as_json() for b in backlogs()}  # per queue: waiting, oldest's age (a backlog shows here first)
    if not clusters:
        return {"ok": False, "error": "no cluster is running", "queued": queued, "backlog": backlog}
    return {"ok": True, "clusters": len(clusters), "queued": queued, "backlog": backlog}


@never_cache
@require_GET
def healthz(request):
    database = _database()
    queue = _queue() if database["ok"] else {"ok": False, "error": "database down"}
    healthy = database["ok"] and queue["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "database": database, "queue": queue},
        status=200 if healthy else 503,
    )

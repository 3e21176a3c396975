"""/healthz reports the database and the django-q2 cluster; tasks really run."""

import os
import time
from datetime import timedelta

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.tasks import async_task, result

from .conftest import database_url, free_port, spawn, stop


def wait_for(predicate, timeout=30, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_a_running_cluster_that_runs_tasks(client):
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    cluster = spawn("qcluster", env=env)
    try:
        response = wait_for(lambda: (r := client.get("/healthz")).status_code == 200 and r)
        assert response, f"cluster never reported: {client.get('/healthz').json()}"
        body = response.json()
        assert body["status"] == "ok" and body["database"]["ok"] and body["queue"]["clusters"] >= 1
        task_id = async_task("integration.tasks.ping")
        assert result(task_id, wait=20_000) == "pong"
    finally:
        output = stop(cluster)
    assert "Traceback" not in output, output


@pytest.mark.django_db
def test_healthz_is_unavailable_without_a_cluster(client):
    cache.clear()  # no cluster has reported
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["queue"] == {"ok": False, "error": "no cluster is running", "queued": 0, "backlog": {}}


@pytest.mark.django_db
def test_healthz_shows_each_queues_backlog_and_its_oldest_tasks_age(client, settings):
    """No cluster runs: what is queued waits, and the answer says in which queue and for how long."""
    cache.clear()
    settings.SILTA_ORDERS_QUEUE = "silta-orders"
    async_task("integration.tasks.ping")  # the default queue, queued three minutes ago:
    queued = OrmQ.objects.get(key="silta")
    task = queued.task
    task["started"] -= timedelta(minutes=3)
    OrmQ.objects.filter(pk=queued.pk).update(payload=SignedPackage.dumps(task))
    async_task("integration.tasks.ping", cluster="silta-orders")
    async_task("integration.tasks.ping", cluster="silta-orders")
    backlog = client.get("/healthz").json()["queue"]["backlog"]
    assert backlog.keys() == {"silta", "silta-orders"}
    assert backlog["silta"]["waiting"] == 1 and 175 <= backlog["silta"]["oldest_seconds"] <= 240
    assert backlog["silta-orders"]["waiting"] == 2 and backlog["silta-orders"]["oldest_seconds"] < 60


def test_healthz_is_unavailable_with_the_database_down():
    port = free_port()
    closed_port = free_port()  # nothing listens there
    env = {**os.environ, "DATABASE_URL": f"postgres://silta@127.0.0.1:{closed_port}/silta"}
    # gunicorn, as in production (runserver refuses to start without a database)
    server = spawn("portal.wsgi", "--bind", f"127.0.0.1:{port}", env=env, program=("-m", "gunicorn"))
    try:
        # a 503 Response is falsy, so wait for "any answer" wrapped in a tuple
        answered = wait_for(lambda: (r := _get(f"http://127.0.0.1:{port}/healthz")) is not None and (r,))
        assert answered, "the web server did not start"
        (response,) = answered
        assert response.status_code == 503
        assert response.json()["database"]["ok"] is False
        assert response.json()["status"] == "fail"
    finally:
        stop(server)


def _get(url):
    try:
        return requests.get(url, timeout=5)
    except requests.ConnectionError:
        return None

"""/healthz reports the database and the django-q2 cluster; tasks really run."""

import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.tasks import async_task, result

from integration import tasks
from tests.fixtures.health import TOKEN, WITH_TOKEN
from tests.fixtures.processes import database_url, free_port, get_or_none, spawn, stop, wait_for


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_a_running_cluster_that_runs_tasks(client, settings):
    settings.SILTA_HEALTH_TOKEN = TOKEN
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    cluster = spawn("qcluster", env=env)
    try:
        response = wait_for(
            lambda: (r := client.get("/healthz", headers=WITH_TOKEN)).status_code == 200 and r
        )
        assert response, f"cluster never reported: {client.get('/healthz', headers=WITH_TOKEN).json()}"
        body = response.json()
        assert body["status"] == "ok" and body["database"]["ok"] and body["queue"]["clusters"] >= 1
        task_id = async_task(tasks.ping.path)
        assert result(task_id, wait=20_000) == "pong"
    finally:
        output = stop(cluster)
    assert "Traceback" not in output, output


@pytest.mark.django_db
def test_healthz_is_unavailable_without_a_cluster(client, settings):
    settings.SILTA_HEALTH_TOKEN = TOKEN
    cache.clear()  # no cluster has reported
    response = client.get("/healthz", {"token": TOKEN})
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["queue"] == {"ok": False, "error": "no cluster is running", "queued": 0, "backlog": {}}


@pytest.mark.django_db
def test_healthz_shows_each_queues_backlog_and_its_oldest_tasks_age(client, settings):
    """No cluster runs: what is queued waits, and the answer says in which queue and for how long."""
    cache.clear()
    settings.SILTA_ORDERS_QUEUE = "silta-orders"
    settings.SILTA_HEALTH_TOKEN = TOKEN  # the details are for the monitor that holds the token
    async_task(tasks.ping.path)  # the default queue, queued three minutes ago:
    queued = OrmQ.objects.get(key="silta")
    task = queued.task
    task["started"] -= timedelta(minutes=3)
    OrmQ.objects.filter(pk=queued.pk).update(payload=SignedPackage.dumps(task))
    async_task(tasks.ping.path, cluster="silta-orders")
    async_task(tasks.ping.path, cluster="silta-orders")
    backlog = client.get("/healthz", headers=WITH_TOKEN).json()["queue"]["backlog"]
    assert backlog.keys() == {"silta", "silta-orders"}
    assert backlog["silta"]["waiting"] == 1 and 175 <= backlog["silta"]["oldest_seconds"] <= 240
    assert backlog["silta-orders"]["waiting"] == 2 and backlog["silta-orders"]["oldest_seconds"] < 60


@pytest.mark.slow
def test_healthz_is_unavailable_with_the_database_down():
    port = free_port()
    closed_port = free_port()  # nothing listens there
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://silta@127.0.0.1:{closed_port}/silta",
        "SILTA_HEALTH_TOKEN": TOKEN,
    }
    # gunicorn, as in production (runserver refuses to start without a database)
    server = spawn("portal.wsgi", "--bind", f"127.0.0.1:{port}", env=env, program=("-m", "gunicorn"))
    try:
        # a 503 Response is falsy, so wait for "any answer" wrapped in a tuple
        answered = wait_for(
            lambda: (r := get_or_none(f"http://127.0.0.1:{port}/healthz", WITH_TOKEN)) is not None and (r,)
        )
        assert answered, "the web server did not start"
        (response,) = answered
        assert response.status_code == 503
        assert response.json()["database"]["ok"] is False
        assert response.json()["status"] == "fail"
    finally:
        stop(server)


@pytest.mark.django_db
@pytest.mark.parametrize("token, details", [("", False), ("wrong", False), (TOKEN, True)])
def test_healthz_shows_details_only_with_the_token(client, settings, token, details):
    settings.SILTA_HEALTH_TOKEN = TOKEN
    cache.clear()
    by_header = client.get("/healthz", headers={"X-Health-Token": token} if token else {})
    by_query = client.get("/healthz", {"token": token} if token else {})
    for response in (by_header, by_query):
        assert response.status_code == 503  # the status is for everyone
        assert response.json()["status"] == "fail"
        assert ("queue" in response.json() and "database" in response.json()) is details


@pytest.mark.django_db
def test_healthz_shows_no_details_when_no_token_is_set(client, settings):
    settings.SILTA_HEALTH_TOKEN = ""
    assert client.get("/healthz", {"token": ""}).json() == {"status": "fail"}

"""/healthz reports the database and the django-q2 cluster; tasks really run."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from django_q.tasks import async_task, result

from integration import tasks
from tests.fixtures.processes import database_url, free_port, get_or_none, spawn, stop, wait_for


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_a_running_cluster_that_runs_tasks(client):
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    cluster = spawn("qcluster", env=env)
    try:
        response = wait_for(lambda: (r := client.get("/healthz")).status_code == 200 and r)
        assert response, f"cluster never reported: {client.get('/healthz').json()}"
        body = response.json()
        assert body["status"] == "ok" and body["database"]["ok"] and body["queue"]["clusters"] >= 1
        task_id = async_task(tasks.ping.path)
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
    assert body["queue"] == {"ok": False, "error": "no cluster is running", "queued": 0}


@pytest.mark.slow
def test_healthz_is_unavailable_with_the_database_down():
    port = free_port()
    closed_port = free_port()  # nothing listens there
    env = {**os.environ, "DATABASE_URL": f"postgres://silta@127.0.0.1:{closed_port}/silta"}
    # gunicorn, as in production (runserver refuses to start without a database)
    server = spawn("portal.wsgi", "--bind", f"127.0.0.1:{port}", env=env, program=("-m", "gunicorn"))
    try:
        # a 503 Response is falsy, so wait for "any answer" wrapped in a tuple
        answered = wait_for(lambda: (r := get_or_none(f"http://127.0.0.1:{port}/healthz")) is not None and (r,))
        assert answered, "the web server did not start"
        (response,) = answered
        assert response.status_code == 503
        assert response.json()["database"]["ok"] is False
        assert response.json()["status"] == "fail"
    finally:
        stop(server)



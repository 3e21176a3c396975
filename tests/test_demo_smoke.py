"""The demo configuration (SQLite, DEBUG on) migrates, serves the portal and runs a task."""

import os
import re

import pytest
import requests

from tests.fixtures.health import TOKEN, WITH_TOKEN
from tests.fixtures.processes import free_port, get_or_none, manage, spawn, stop, wait_for


@pytest.mark.slow
def test_sqlite_demo_migrates_serves_the_admin_and_runs_a_task(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "SILTA_HEALTH_TOKEN": TOKEN,  # /healthz shows the queue's details only with it
    }
    for command in (["migrate"], ["createcachetable"], ["seed_demo"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stderr

    port = free_port()
    web = spawn("runserver", "--noreload", f"127.0.0.1:{port}", env=env)
    cluster = spawn("qcluster", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: get_or_none(f"{base}/login/"), timeout=30), "web server did not start"
        session = requests.Session()
        page = session.get(f"{base}/login/")
        assert page.status_code == 200 and "Silta" in page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        dashboard = session.post(
            f"{base}/login/",
            data={"username": "admin", "password": "silta-demo", "csrfmiddlewaretoken": token, "next": "/"},
            headers={"Referer": f"{base}/login/"},
        )
        assert dashboard.status_code == 200
        assert "Kahvila Aurinko Oy" in dashboard.text and "Puuseppä Virtanen Tmi" in dashboard.text
        assert (
            "Kahvila Kaski Oy" in dashboard.text
        )  # the Shopify company, not connected: its walk is the install

        run = manage(
            "shell",
            "-c",
            "from django_q.tasks import async_task, result; print(result(async_task('integration.tasks.ping'), wait=30000))",
            env=env,
        )
        assert run.stdout.strip().splitlines()[-1] == "pong", run.stderr
        health = wait_for(
            lambda: (
                (r := get_or_none(f"{base}/healthz", WITH_TOKEN)) is not None and r.status_code == 200 and r
            )
        )
        assert health and health.json()["queue"]["clusters"] >= 1
    finally:
        stop(web)
        stop(cluster)

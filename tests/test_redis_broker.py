"""django-q2's Redis broker is an option (REDIS_URL); the ORM broker stays the default."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest
from django.db import connection

from tests.fixtures.processes import database_url, free_port, manage, spawn, stop, wait_for
from tests.fixtures.production import production_env

SHOW_BROKER = (
    "import json; from django.conf import settings; from django_q.brokers import get_broker; "
    "print(json.dumps({'broker': type(get_broker()).__name__, 'cluster': sorted(settings.Q_CLUSTER)}))"
)


def broker(env):
    result = manage("shell", "-c", SHOW_BROKER, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_orm_broker_is_the_default():
    for env in (production_env(), production_env(REDIS_URL="")):  # unset, or empty as in .env.example
        shown = broker(env)
        assert shown["broker"] == "ORM" and "orm" in shown["cluster"] and "redis" not in shown["cluster"]


@pytest.mark.slow
def test_redis_url_selects_the_redis_broker():
    shown = broker(production_env(REDIS_URL="redis://127.0.0.1:9/0"))  # nothing listens: not contacted
    assert shown["broker"] == "Redis" and "redis" in shown["cluster"] and "orm" not in shown["cluster"]


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    folder = tempfile.mkdtemp(prefix="silta-redis-")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        client = redis.Redis(port=port)
        assert wait_for(lambda: _answers(client), timeout=10), "redis-server did not start"
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _answers(client):
    try:
        return client.ping()
    except Exception:
        return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_cluster_runs_tasks_through_redis(redis_url):
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "REDIS_URL": redis_url}
    cluster = spawn("qcluster", env=env)
    try:
        check = manage(
            "shell",
            "-c",
            (
                "from django_q.tasks import async_task, result; from django_q.status import Stat; "
                "from django_q.brokers import get_broker; "
                "print(type(get_broker()).__name__, result(async_task('integration.tasks.ping'), wait=30000), "
                "len(Stat.get_all()))"
            ),
            env=env,
        )
        assert check.returncode == 0, check.stderr
        name, answer, clusters = check.stdout.split()[-3:]
        assert (name, answer) == ("Redis", "pong") and int(clusters) >= 1
    finally:
        output = stop(cluster)
    assert "Traceback" not in output, output

"""deploy/, Dockerfile and docker-compose.yml agree with the settings and with each other.

Docker itself is not run here: these read the files, and run the image's build-time
collectstatic step with the image's own build environment."""

import os
import re
import runpy

import pytest
import yaml
from django.conf import settings

from tests.fixtures.processes import ROOT, manage

SILTA_SERVICES = ("migrate", "web", "worker")


def variables_read():
    """Environment variables Silta reads: the settings, and gunicorn's configuration."""
    source = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'_required_in_production\(\s*"([A-Z_]+)"', source))
    names |= set(
        re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', (ROOT / "deploy" / "gunicorn.conf.py").read_text())
    )
    return names


def command(service):
    value = service["command"]
    return " ".join(value) if isinstance(value, list) else value


def test_compose_runs_web_worker_and_postgresql_with_redis_optional():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "db", "redis", "migrate"} <= services.keys()
    assert "gunicorn -c deploy/gunicorn.conf.py portal.wsgi" in command(services["web"])
    assert command(services["worker"]) == "python manage.py qcluster"
    assert "manage.py migrate" in command(services["migrate"]) and "createcachetable" in command(
        services["migrate"]
    )
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["profiles"] == ["redis"]  # only with --profile redis
    # the orders cluster, always (production's default): its queue name is the one the web and the worker send to
    assert "profiles" not in services["worker-orders"]
    assert 'Q_CLUSTER_NAME="$${SILTA_ORDERS_QUEUE-silta-orders}" exec python manage.py qcluster' in command(
        services["worker-orders"]
    )  # $$: compose's escape
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert "redis" not in services[name]["depends_on"]  # optional: never required
    for name in SILTA_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env" and service["build"] == "."
        unknown = set(service.get("environment", {})) - variables_read()
        assert not unknown, f"{name} sets variables Silta does not read: {unknown}"
        assert service["environment"]["DATABASE_URL"].endswith("@db:5432/silta")
    assert services["db"]["environment"]["POSTGRES_DB"] == "silta"


def dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    return re.sub(r"\\\n\s*", " ", text)  # continuation lines joined


def test_dockerfile_builds_a_non_root_image_that_serves_with_gunicorn():
    text = dockerfile()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert "pip install -r requirements.txt" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r'^CMD \["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"\]$', text, re.M)
    env = dict(re.findall(r"^ENV ([A-Z_]+)=(\S+)$", text, re.M))
    assert env["GUNICORN_BIND"] == "0.0.0.0:8000" and "GUNICORN_BIND" in variables_read()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "var"} <= set(ignored)  # no secrets or local leftovers in the image


@pytest.mark.slow
def test_the_images_collectstatic_step_runs_with_its_build_environment(tmp_path):
    (step,) = [
        line for line in dockerfile().splitlines() if line.startswith("RUN") and "collectstatic" in line
    ]
    build_env = dict(re.findall(r"([A-Z_]+)=(\S+)", step.split("python manage.py")[0]))
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SILTA_ENCRYPTION_KEYS"} <= build_env.keys()
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **build_env,
        "STATIC_ROOT": str(tmp_path),
    }
    result = manage("collectstatic", "--noinput", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "static files copied" in result.stdout


def test_gunicorn_config_reads_its_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"], config["forwarded_allow_ips"]) == (
        "0.0.0.0:8123",
        5,
        "127.0.0.1",
    )
    monkeypatch.delenv("GUNICORN_BIND")
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["bind"] == "127.0.0.1:8000"


def test_systemd_units_and_nginx_site_fit_the_settings():
    web = (ROOT / "deploy" / "silta-web.service").read_text()
    cluster = (ROOT / "deploy" / "silta-qcluster.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py portal.wsgi" in web
    assert "manage.py qcluster" in cluster
    orders = (ROOT / "deploy" / "silta-qcluster-orders.service").read_text()
    assert (
        """Q_CLUSTER_NAME="$${SILTA_ORDERS_QUEUE-silta-orders}" exec /srv/silta/.venv/bin/python manage.py qcluster"""
        in orders
    )
    for unit in (web, cluster):
        assert "EnvironmentFile=/srv/silta/.env" in unit and "WorkingDirectory=/srv/silta" in unit
    nginx = (ROOT / "deploy" / "nginx-silta.conf").read_text()
    assert "listen 443 ssl" in nginx and "ssl_certificate " in nginx
    # Django trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER): the proxy must always set it
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert nginx.count("proxy_set_header X-Forwarded-Proto $scheme;") == nginx.count("proxy_pass ")
    assert nginx.count("proxy_set_header Host $host;") == nginx.count("proxy_pass ")
    assert "proxy_pass http://127.0.0.1:8000;" in nginx  # gunicorn.conf.py's default bind
    # static files: collectstatic's default folder under the units' working directory
    assert re.search(r"location /static/ \{\s*alias /srv/silta/staticfiles/;", nginx)
    # nginx lets through every webhook delivery Silta would take (larger ones Silta refuses itself)
    limit = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1)) * 1024 * 1024
    assert limit >= settings.WEBHOOK_MAX_BYTES

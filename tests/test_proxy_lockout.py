"""Failed-login lockouts behind the documented proxy: gunicorn (deploy/gunicorn.conf.py, production
settings) with SILTA_TRUSTED_PROXIES naming the proxy; the client's address comes from
X-Forwarded-For, so one client's wrong passwords lock that client out, not everyone."""

from __future__ import annotations

import os
import re
from http.cookiejar import DefaultCookiePolicy

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from integration.people.client_ip import client_address, trusted_networks
from tests.fixtures.processes import database_url, free_port, manage
from tests.fixtures.production import finish, get_quietly, start, wait_for

PASSWORD = "pw-paakayttaja-123"


@pytest.fixture
def gunicorn_behind_a_proxy(tmp_path, monkeypatch):
    monkeypatch.setattr(DefaultCookiePolicy, "return_ok_secure", lambda self, cookie, request: True)
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "proxy-test-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SILTA_ENCRYPTION_KEYS": ",".join(settings.SILTA_ENCRYPTION_KEYS),
        "DATABASE_URL": database_url(connection.settings_dict),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SILTA_BASE_URL": f"https://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "EACCOUNTING_CLIENT_ID": "x",
        "EACCOUNTING_CLIENT_SECRET": "x",
        "SILTA_TRUSTED_PROXIES": "127.0.0.1",  # the proxy (nginx) runs on this machine
    }
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    web = start(
        ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"], env, tmp_path / "gunicorn.log"
    )
    try:
        wait_for(
            lambda: get_quietly(f"http://127.0.0.1:{port}/healthz") is not None, 30, "gunicorn to answer"
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        output = finish(web)
    assert "Traceback" not in output, output[-5000:]


class Browser:
    """A person's browser reaching gunicorn through the proxy, which says who the client is."""

    def __init__(self, base: str, client_ip: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers.update(
            {
                "X-Forwarded-For": client_ip,
                "X-Forwarded-Proto": "https",
                "Origin": "https://" + base.split("://", 1)[1],
            }
        )

    def log_in(self, username: str, password: str) -> requests.Response:
        url = self.base + reverse("admin:login")
        page = self.http.get(url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.http.post(
            url,
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=30,
        )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_five_failures_lock_that_client_not_another_logging_in_as_the_same_user(
    gunicorn_behind_a_proxy, django_user_model
):
    from axes.models import AccessAttempt

    hasher = PBKDF2PasswordHasher()  # production's hasher: this suite's fast one is unknown there
    django_user_model.objects.create(
        username="admin", is_staff=True, is_superuser=True, password=hasher.encode(PASSWORD, hasher.salt())
    )
    attacker = Browser(gunicorn_behind_a_proxy, "203.0.113.5")
    answers = [attacker.log_in("admin", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert attacker.log_in("admin", PASSWORD).status_code == 429  # that client is locked out

    admin = Browser(gunicorn_behind_a_proxy, "198.51.100.7")
    assert admin.log_in("admin", PASSWORD).status_code == 302  # the real admin, elsewhere, is not
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


TRUSTED = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    "remote, header, expected",
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # through the trusted proxy
        ("127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # what the client wrote itself is ignored
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # through two trusted proxies
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not from a proxy: the header is not believed
        ("127.0.0.1", "", "127.0.0.1"),  # the proxy itself
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.5, junk", "127.0.0.1"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_the_header_only_through_a_trusted_proxy(remote, header, expected):
    assert client_address(remote, header, TRUSTED) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("127.0.0.1", "203.0.113.5", trusted_networks([])) == "127.0.0.1"

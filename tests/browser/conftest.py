"""Playwright driving Debian's Chromium against the portal on a live server."""

import os
import shutil
import tempfile

import pytest
from django.db import connection as db

from tests.fixtures.processes import database_url, spawn, stop

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in
    # test bodies are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    profile = tempfile.mkdtemp(prefix="silta-chromium-")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    """A page that fails its test when the Content-Security-Policy blocked anything on it."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked something the page needs"


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def setup_step(page, key: str):
    """One step of the dashboard's set-up checklist (its state in data-state, its buttons inside)."""
    return page.locator(f"tr.tenant-setup li[data-step={key}]")


@pytest.fixture
def cluster_env():
    """More environment for the cluster; a test module overrides this fixture (e.g. the Shopify sandbox)."""
    return {}


@pytest.fixture
def cluster(ea, live_server, cluster_env):
    """A real django-q2 cluster on the test database, reaching the eAccounting sandbox."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db.settings_dict),
        "SILTA_BASE_URL": live_server.url,
        "EACCOUNTING_IDENTITY_URL": ea.base,
        "EACCOUNTING_API_URL": f"{ea.base}/v2",
        **cluster_env,
    }
    process = spawn("qcluster", env=env)
    yield process
    output = stop(process)
    assert "Traceback" not in output, output


def live_server_artifact(name):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name

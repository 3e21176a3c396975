"""`manage.py sync` draws a progress bar from the run's progress in the database, on a terminal only."""

import io
import re
import time

import pytest
from django.core.management import call_command

from integration.management.commands.sync import ProgressBar, bar
from integration.models import SyncRun, Tenant

from .conftest import activated_on_an_empty_shop


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_shows_done_of_total():
    assert bar(50, 100, width=10) == "[#####.....] 50/100"
    assert bar(312, 10_000, width=10) == "[..........] 312/10000"
    assert bar(10_000, 10_000, width=10) == "[##########] 10000/10000"
    assert bar(7, None, width=4) == "[????] 7"  # the total is not known yet


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_bar_follows_the_run_in_the_database():
    tenant = Tenant.objects.create(name="Progress Oy", slug="progress")
    drawn = []
    progress = ProgressBar(drawn.append, tenant, SyncRun.Kind.ARTICLES, dry_run=False, interval=0.05)
    progress.start()
    run = SyncRun.objects.create(
        tenant=tenant, kind=SyncRun.Kind.ARTICLES, progress_done=10, progress_total=100
    )

    def wait_for(text):
        deadline = time.monotonic() + 5
        while text not in drawn and time.monotonic() < deadline:
            time.sleep(0.02)
        assert text in drawn

    wait_for(f"\r{bar(10, 100)}")
    SyncRun.objects.filter(pk=run.pk).update(progress_done=60)
    wait_for(f"\r{bar(60, 100)}")
    progress.stop()
    assert drawn[-2:] == [f"\r{bar(60, 100)}", "\n"]
    assert not progress.is_alive()


@pytest.fixture
def tenant(ea, wc, live_server, settings, transactional_db):
    """Activated, with eAccounting's demo company (20 articles) and an empty shop."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = activated_on_an_empty_shop(ea, wc, "bar")
    return tenant


def test_the_sync_command_draws_a_bar_on_a_terminal_and_nothing_otherwise(tenant):
    out, log = io.StringIO(), io.StringIO()
    call_command("sync", tenant.slug, "--dry-run", stdout=out, stderr=log)
    assert log.getvalue() == ""  # not a terminal: logs stay clean
    terminal = Terminal()
    call_command("sync", tenant.slug, "--dry-run", stdout=io.StringIO(), stderr=terminal)
    drawn = terminal.getvalue()
    run = SyncRun.objects.filter(tenant=tenant, dry_run=True).latest("started_at")
    assert run.progress_total and run.progress_done == run.progress_total
    assert drawn.endswith(f"\r[{'#' * 30}] {run.progress_done}/{run.progress_total}\n")
    assert re.fullmatch(r"(\r\[[#.?]{30}\] \d+(/\d+)?)+\n", drawn)

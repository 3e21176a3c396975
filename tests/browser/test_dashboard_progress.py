"""A long run's progress moves on the dashboard while it runs, without a reload; then it is in the run history."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integration.models import SyncRun

from .conftest import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_follows_a_running_sync(page, live_server, tenant_a, tenant_b, owner_a):
    tenant_a.is_active = True
    tenant_a.save()
    SyncRun.objects.filter(tenant=tenant_a).delete()
    run = SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ARTICLES,
        trigger=SyncRun.Trigger.MANUAL,
        status=SyncRun.Status.RUNNING,
        progress_done=10,
        progress_total=100,
    )

    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    progress = page.locator("tr.tenant-detail[data-tenant=a] .run-progress")
    expect(progress).to_have_text("Article sync: 10 of 100")
    page.evaluate("window.notReloaded = true")

    SyncRun.objects.filter(pk=run.pk).update(progress_done=60)  # committed: the live server sees it
    expect(progress).to_have_text(re.compile(r"Article sync: 60 of 100"), timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=str(live_server_artifact("dashboard-progress.png")))

    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED, progress_done=100, finished_at=timezone.now()
    )
    expect(progress).to_have_text(re.compile(r"Article sync: Succeeded"), timeout=10_000)
    assert page.evaluate("window.notReloaded") is True

    page.locator("tr.tenant-detail[data-tenant=a] tr.run-kind[data-kind=articles] th a").click()
    assert "/integration/syncrun/" in page.url and f"tenant={tenant_a.pk}" in page.url
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    assert re.search(r"Article sync\s+Sync now\s+Succeeded\s+100 of 100", rows.first.inner_text())
    assert "Company B" not in page.content()


def test_sync_now_changes_the_runs_row_without_a_reload(page, live_server, tenant_a, owner_a):
    """Sync now, then the runs it started change the company's row as they run and end (no reload)."""
    from integration.scheduling import schedules

    tenant_a.is_active = True
    tenant_a.save()
    schedules.ensure(tenant_a)
    SyncRun.objects.filter(tenant=tenant_a).delete()
    SyncRun.objects.create(
        tenant=tenant_a, kind=SyncRun.Kind.ARTICLES, status=SyncRun.Status.FAILED, error="yesterday's"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    row = page.locator("tr.tenant-detail[data-tenant=a] tr.run-kind[data-kind=articles]")
    expect(row.locator(".last-run")).to_contain_text("Failed")

    page.locator("tr.tenant-row[data-tenant=a] form.sync-now button.primary").click()
    expect(page.locator(".messagelist")).to_contain_text("start in a moment")
    page.evaluate("window.notReloaded = true")
    # the task cluster picks the sync up: a run starts, then ends with its counts
    run = SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ARTICLES,
        trigger=SyncRun.Trigger.MANUAL,
        status=SyncRun.Status.RUNNING,
    )
    expect(row.locator(".last-run")).to_contain_text("Running", timeout=10_000)
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        counts={"updated": 5, "requests_eaccounting": 2},
    )
    expect(row.locator(".last-run")).to_contain_text("Succeeded", timeout=10_000)
    expect(row.locator(".run-counts")).to_have_text("5 updated, 2 requests to eAccounting")
    assert row.locator(".last-run a").get_attribute("href").endswith(f"/integration/syncrun/{run.pk}/change/")
    assert page.evaluate("window.notReloaded") is True
    # the page fits 1,280 px: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(live_server_artifact("dashboard-sync-now-1280.png")), full_page=True)

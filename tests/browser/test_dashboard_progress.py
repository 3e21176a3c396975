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

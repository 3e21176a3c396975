"""Scale-out: two `qcluster` processes on one PostgreSQL database, 50 tenants' schedules due at once.

Every scheduled run happens once, and no two catalogue jobs of one tenant overlap (the stock
reconcile that finds the article sync running waits for it through the tenant's lease)."""

import time
from collections import defaultdict

import pytest
from django.utils import timezone
from django_q.models import Schedule

from integration.models import ConnectionStatus, FirstSync, SyncRun, WebshopConnection
from integration.scheduling import schedules
from sandbox.woocommerce.testing import Sandbox as ShopSandbox
from tests.fixtures.faults import child_env
from tests.fixtures.processes import spawn, stop

from .conftest import connect_tenant

pytestmark = pytest.mark.django_db(transaction=True)
TENANTS = 50
JOBS = ("articles", "stock", "orders")


@pytest.fixture
def shops():
    started = [ShopSandbox() for _ in range(TENANTS)]
    yield started
    for shop in started:
        shop.close()


def _tenant(ea, shop, n):
    company = ea.control(
        "POST", "companies", {"name": f"Yritys {n} Oy", "articles": 3, "customers": 0, "seed": n}
    )
    tenant = connect_tenant(ea, f"cluster-{n}", company).tenant
    key, secret = shop.key("read_write")
    WebshopConnection.objects.create(
        tenant=tenant, base_url=shop.url, api_key=key, api_secret=secret, status=ConnectionStatus.CONNECTED
    )
    tenant.is_active = True
    tenant.save()
    FirstSync.objects.create(
        tenant=tenant, status=FirstSync.Status.DONE
    )  # nothing in the shops to import first
    schedules.ensure(tenant)
    return tenant


@pytest.mark.slow
def test_two_clusters_run_every_due_schedule_once_and_a_tenants_catalogue_jobs_never_overlap(
    ea, shops, settings
):
    ea.control("PATCH", "settings", {"rate_limit": 100000})  # the budget is not what this test is about
    tenants = [_tenant(ea, shop, n) for n, shop in enumerate(shops)]
    due = Schedule.objects.filter(name__regex=r"^silta:\d+:(" + "|".join(JOBS) + ")$")
    assert due.count() == TENANTS * len(JOBS)
    due.update(next_run=timezone.now())
    env = {**child_env(settings), "Q_WORKERS": "2", "SILTA_JOB_LEASE_SECONDS": "30"}
    clusters = [spawn("qcluster", env=env), spawn("qcluster", env=env)]
    try:
        deadline = time.monotonic() + 240
        expected = TENANTS * len(JOBS)
        while SyncRun.objects.exclude(finished_at=None).count() < expected:
            assert time.monotonic() < deadline, (
                f"{SyncRun.objects.exclude(finished_at=None).count()} of {expected} runs"
            )
            assert all(c.poll() is None for c in clusters)
            time.sleep(0.5)
        time.sleep(2)  # anything run twice would show up now
    finally:
        for cluster in clusters:
            stop(cluster)

    runs = defaultdict(list)
    for run in SyncRun.objects.filter(tenant__in=tenants).order_by("started_at"):
        runs[(run.tenant_id, "orders" if run.kind == SyncRun.Kind.ORDERS else "catalogue")].append(run)
    for tenant in tenants:
        catalogue, orders = runs[(tenant.pk, "catalogue")], runs[(tenant.pk, "orders")]
        assert len(catalogue) == 2 and len(orders) == 1, (tenant.slug, catalogue, orders)  # each once
        assert all(r.status == SyncRun.Status.SUCCEEDED for r in catalogue + orders), [
            r.error for r in catalogue
        ]
        first, second = catalogue
        assert second.started_at >= first.finished_at, f"{tenant.slug}: catalogue jobs overlapped"

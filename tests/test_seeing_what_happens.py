"""Seeing what happens: the dashboard's runs, flags, freshness and chart; live progress; Sync now; run history."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.tasks import async_task

from integration import tasks
from integration.models import (
    ArticleLink,
    FirstSync,
    ImportItem,
    Membership,
    OrderTransfer,
    ShopMethod,
    SyncEvent,
    SyncRun,
    Tenant,
    WebshopConnection,
    WebshopOrderConversion,
)
from integration.scheduling import schedules
from portal.admin.tenant_admin import TenantListFilter
from portal.dashboard import FAILING_AFTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_a(tenant_a):
    tenant_a.is_active = True
    tenant_a.activated_at = timezone.now() - timedelta(days=30)
    tenant_a.save()
    return tenant_a


def dashboard(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def run(tenant, kind=SyncRun.Kind.ARTICLES, status=SyncRun.Status.SUCCEEDED, ago=timedelta(0), **fields):
    """A run that started `ago` before now (started_at is auto_now_add: set afterwards)."""
    made = SyncRun.objects.create(tenant=tenant, kind=kind, status=status, **fields)
    SyncRun.objects.filter(pk=made.pk).update(started_at=timezone.now() - ago)
    made.refresh_from_db()
    return made


def row_html(page, slug):
    """The tenant's two rows of the dashboard (the summary and the detail row)."""
    rows = re.findall(
        rf'<tr class="tenant-[^"]*" data-tenant="{slug}">.*?</tr>\s*(?=<tr class="tenant-|</tbody>)',
        page,
        re.S,
    )
    return "".join(rows)


# --- the dashboard --------------------------------------------------------------------------------


def test_the_dashboard_shows_last_and_next_runs_with_their_counts(client, owner_a, active_a):
    SyncRun.objects.filter(tenant=active_a).delete()
    run(
        active_a,
        status=SyncRun.Status.SUCCEEDED,
        ago=timedelta(minutes=12),
        counts={"created": 3, "updated": 12, "requests_eaccounting": 40},
    )
    run(
        active_a, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.FAILED, ago=timedelta(hours=2), error="boom"
    )
    run(active_a, kind=SyncRun.Kind.STOCK, status=SyncRun.Status.SUCCEEDED, ago=timedelta(minutes=40))
    schedules.ensure(active_a)
    Schedule.objects.filter(name=schedules.name(active_a.pk, "articles")).update(
        next_run=timezone.now() + timedelta(minutes=4, seconds=30)
    )
    Schedule.objects.filter(name=schedules.name(active_a.pk, "orders")).update(
        next_run=timezone.now() - timedelta(minutes=30)
    )
    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    articles = re.search(r'data-kind="articles"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "Succeeded</a> 12\xa0minutes ago" in articles
    assert "3 created, 12 updated, 40 requests to eAccounting" in articles
    assert "next in 4\xa0minutes" in articles
    orders = re.search(r'data-kind="orders"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert "Failed</a> 2\xa0hours ago" in orders
    assert "next run overdue since 30\xa0minutes (is a task cluster running?)" in orders
    stock = re.search(r'data-kind="stock"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert (
        "Succeeded</a> 40\xa0minutes ago" in stock and "next in" in stock
    )  # the reconcile is a run kind of its own
    assert "failed 3 times" not in page


def test_what_needs_a_person_is_flagged(client, owner_a, active_a, tenant_b):
    SyncRun.objects.filter(tenant=active_a).delete()
    for n in range(FAILING_AFTER):
        run(
            active_a,
            kind=SyncRun.Kind.ORDERS,
            status=SyncRun.Status.FAILED,
            ago=timedelta(hours=n + 1),
            error=f"ConnectionError: shop down {n}",
        )
    guarded = run(active_a, status=SyncRun.Status.NEEDS_CONFIRMATION, error="mass change")
    first = FirstSync.objects.create(tenant=active_a, status=FirstSync.Status.DONE)
    for sku in ("", "X" * 41):
        ImportItem.objects.create(first_sync=first, tenant=active_a, kind=ImportItem.Kind.REJECT, sku=sku)
    ImportItem.objects.create(first_sync=first, tenant=active_a, kind=ImportItem.Kind.CREATE, sku="OK-1")
    old = FirstSync.objects.create(tenant=active_a, status=FirstSync.Status.UNDONE)
    FirstSync.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    ImportItem.objects.create(first_sync=old, tenant=active_a, kind=ImportItem.Kind.REJECT, sku="OLD")
    SyncEvent.objects.create(run=guarded, tenant=active_a, outcome=SyncEvent.Outcome.DRIFT, item="A-1")
    SyncEvent.objects.create(run=guarded, tenant=active_a, outcome=SyncEvent.Outcome.DRIFT, item="A-2")
    stale = SyncEvent.objects.create(
        run=guarded, tenant=active_a, outcome=SyncEvent.Outcome.DRIFT, item="A-3"
    )
    SyncEvent.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
    # the other tenant's troubles are not counted here
    first_b = FirstSync.objects.create(tenant=tenant_b)
    ImportItem.objects.create(first_sync=first_b, tenant=tenant_b, kind=ImportItem.Kind.REJECT, sku="B")

    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    assert 'class="tenant-row needs-attention"' in page
    assert "Order import failed 3 times in a row</a>: ConnectionError: shop down 0" in page
    assert reverse("admin:integration_syncrun_change", args=[guarded.pk]) in page
    assert "A mass price change waits for confirmation" in page
    assert "2 products cannot be imported" in page
    assert "2 fields changed in the shop and put back" in page


def test_a_failure_among_successes_is_not_flagged(client, owner_a, active_a):
    SyncRun.objects.filter(tenant=active_a).delete()
    run(active_a, status=SyncRun.Status.FAILED, ago=timedelta(minutes=1))
    run(active_a, status=SyncRun.Status.FAILED, ago=timedelta(minutes=2))
    run(active_a, status=SyncRun.Status.SUCCEEDED, ago=timedelta(minutes=3))
    run(active_a, status=SyncRun.Status.FAILED, ago=timedelta(minutes=4))
    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    assert "times in a row" not in page


def test_freshness_is_the_oldest_change_that_may_not_be_synced(client, owner_a, active_a):
    SyncRun.objects.filter(tenant=active_a).delete()
    OrderTransfer.objects.filter(tenant=active_a).delete()
    run(active_a, status=SyncRun.Status.SUCCEEDED, ago=timedelta(minutes=25))
    run(active_a, status=SyncRun.Status.FAILED, ago=timedelta(minutes=5))  # a failed run syncs nothing
    client.force_login(owner_a)
    assert "at most 25\xa0minutes old" in row_html(dashboard(client), "a")
    waiting = OrderTransfer.objects.create(
        tenant=active_a, shop_order_id=7, shop_order_number="W-7", status=OrderTransfer.Status.WAITING
    )
    OrderTransfer.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=3))
    OrderTransfer.objects.create(
        tenant=active_a, shop_order_id=8, shop_order_number="W-8", status=OrderTransfer.Status.DONE
    )
    assert "at most 3\xa0hours old" in row_html(dashboard(client), "a")


def test_the_chart_renders_orders_and_errors_per_day(client, owner_a, active_a, tenant_b):
    today = timezone.localtime().replace(hour=12, minute=0)
    OrderTransfer.objects.filter(tenant=active_a).delete()  # the fixture's own orders
    for n, days_ago in enumerate([0, 0, 0, 2, 13, 14]):  # 14 days ago is outside the chart
        OrderTransfer.objects.create(
            tenant=active_a,
            shop_order_id=100 + n,
            shop_order_number=f"C-{n}",
            status=OrderTransfer.Status.DONE,
            transferred_at=today - timedelta(days=days_ago),
        )
    OrderTransfer.objects.create(
        tenant=tenant_b,
        shop_order_id=100,
        shop_order_number="C-b",
        status=OrderTransfer.Status.DONE,
        transferred_at=today,
    )
    failed_run = run(active_a, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.SUCCEEDED)
    SyncEvent.objects.create(run=failed_run, tenant=active_a, outcome=SyncEvent.Outcome.FAILED, item="C-9")
    old = SyncEvent.objects.create(
        run=failed_run, tenant=active_a, outcome=SyncEvent.Outcome.FAILED, item="C-8"
    )
    SyncEvent.objects.filter(pk=old.pk).update(created_at=today - timedelta(days=2))

    OrderTransfer.objects.create(
        tenant=active_a, shop_order_id=200, shop_order_number="W-1", status=OrderTransfer.Status.WAITING
    )

    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    bars = re.findall(
        r'<g class="day" data-day="([\d-]+)" data-transferred="(\d+)" data-waiting="(\d+)" data-errors="(\d+)">',
        page,
    )
    assert len(bars) == 14
    by_day = {day: (int(o), int(w), int(e)) for day, o, w, e in bars}
    day = lambda n: (today - timedelta(days=n)).date().isoformat()  # noqa: E731
    assert by_day[day(0)] == (3, 1, 1)
    assert by_day[day(2)] == (1, 0, 1)
    assert by_day[day(13)] == (1, 0, 0)
    assert sum(o for o, _, _ in by_day.values()) == 5
    assert "3 orders transferred, 1 order began to wait, 1 error</title>" in page
    # the legend says what each colour is, with the 14 days' totals
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'data-series="(\w+)"><span class="swatch \1"></span>([^<]+)</li>', legend) == [
        ("transferred", "Orders transferred to eAccounting: 5"),
        ("waiting", "Orders that began to wait for a person: 1"),
        ("errors", "Errors: 2"),
    ]
    # a y axis with round numbers (the peak of 3 rounds up to 5) and a label under each day
    assert re.findall(r'<g class="tick" data-value="(\d+)">', page) == ["0", "2", "5"]
    assert page.count('<text class="day-label"') == 14
    assert f'text-anchor="middle">{(today - timedelta(days=13)).day}</text>' in page


def test_the_chart_counts_visma_webshop_conversions(client, owner_a, active_a):
    WebshopConnection.objects.update_or_create(
        tenant=active_a, defaults={"platform": WebshopConnection.Platform.VISMA_WEBSHOP, "base_url": ""}
    )
    for n in range(2):
        WebshopOrderConversion.objects.create(
            tenant=active_a,
            webshop_order_id=f"w-{n}",
            outcome=WebshopOrderConversion.Outcome.CONVERTED,
            converted_at=timezone.now(),
        )
    WebshopOrderConversion.objects.create(tenant=active_a, webshop_order_id="w-open")  # not converted yet
    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    today = timezone.localdate().isoformat()
    assert re.search(rf'data-day="{today}" data-conversions="2"', page)
    assert "Webshop orders converted to invoices: 2" in page
    assert "Orders transferred to eAccounting" not in page  # not what this kind of company does


def test_the_dashboard_keeps_a_fixed_number_of_queries_with_runs_and_schedules(client, owner_a, active_a):
    client.force_login(owner_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = dashboard(client)
        return len(captured), page

    def busy(tenant, n):
        schedules.ensure(tenant)
        for k in range(FAILING_AFTER + 1):
            done = run(tenant, status=SyncRun.Status.FAILED, ago=timedelta(minutes=k + 1), error="no")
            SyncEvent.objects.create(run=done, tenant=tenant, outcome=SyncEvent.Outcome.FAILED, item=f"F-{k}")
            SyncEvent.objects.create(run=done, tenant=tenant, outcome=SyncEvent.Outcome.DRIFT, item=f"D-{k}")
        run(
            tenant, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.RUNNING, progress_done=3, progress_total=9
        )
        first = FirstSync.objects.create(tenant=tenant)
        ImportItem.objects.create(first_sync=first, tenant=tenant, kind=ImportItem.Kind.REJECT, sku=f"R-{n}")
        ShopMethod.objects.create(tenant=tenant, kind="shipping", key="flat_rate:9", title=f"Posti {n}")
        for k in range(2):  # created by the first sync; their stock is still to be entered in eAccounting
            ArticleLink.objects.create(
                tenant=tenant,
                article_id=f"s-{n}-{k}",
                article_number=f"S-{n}-{k}",
                shop_product_id=700 + 10 * n + k,
                stock_led_by_shop=True,
            )
        OrderTransfer.objects.create(
            tenant=tenant, shop_order_id=50 + n, shop_order_number=f"M-{n}", status="waiting"
        )
        OrderTransfer.objects.create(
            tenant=tenant,
            shop_order_id=90 + n,
            shop_order_number=f"T-{n}",
            status="done",
            transferred_at=timezone.now(),
        )

    SyncRun.objects.filter(tenant=active_a).delete()
    busy(active_a, 0)
    few, _ = queries()
    for n in range(1, 6):
        t = Tenant.objects.create(name=f"More {n}", slug=f"more-{n}", is_active=True)
        Membership.objects.create(tenant=t, user=owner_a, role=Membership.Role.OWNER)
        busy(t, n)
    many, page = queries()
    assert many == few and few < 20
    assert page.count("Article sync failed 3 times in a row") == 6
    assert page.count("Order import: 3 of 9") == 6
    # each company's set-up checklist, read with the rest: the first sync waits, a method lacks its article
    assert page.count('class="tenant-setup"') == 6
    assert page.count('data-step="first_sync" data-state="to_do"') == 6
    assert page.count("2 products wait for their stock in eAccounting") == 6


# --- live progress --------------------------------------------------------------------------------


def test_progress_json_shows_done_and_total_of_a_running_run(client, member_b, tenant_b):
    SyncRun.objects.filter(tenant=tenant_b).delete()
    run(tenant_b, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.SUCCEEDED, ago=timedelta(hours=1))
    running = run(tenant_b, status=SyncRun.Status.RUNNING, progress_done=312, progress_total=10_000)
    client.force_login(member_b)
    response = client.get(reverse("run_progress", args=["b"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["tenant"] == "b"
    assert [(r["id"], r["done"], r["total"], r["text"]) for r in data["running"]] == [
        (running.pk, 312, 10_000, "312 of 10,000")
    ]
    assert {r["kind"]: r["status"] for r in data["latest"]} == {"articles": "running", "orders": "succeeded"}
    SyncRun.objects.filter(pk=running.pk).update(progress_done=5000)
    assert client.get(reverse("run_progress", args=["b"])).json()["running"][0]["text"] == "5,000 of 10,000"


def test_progress_json_of_another_tenant_is_not_found(client, member_b, tenant_a):
    client.force_login(member_b)
    assert client.get(reverse("run_progress", args=["a"])).status_code == 404
    assert client.get(reverse("run_progress", args=["no-such"])).status_code == 404


def test_the_dashboard_shows_a_running_run_and_polls_it(client, owner_a, active_a):
    SyncRun.objects.filter(tenant=active_a).delete()
    run(
        active_a,
        status=SyncRun.Status.RUNNING,
        progress_done=10,
        progress_total=100,
        ago=timedelta(minutes=1),
    )
    run(active_a, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.RUNNING)  # nothing counted yet
    client.force_login(owner_a)
    page = row_html(dashboard(client), "a")
    assert f'data-progress-url="{reverse("run_progress", args=["a"])}" data-watch>' in page
    assert "Article sync: 10 of 100</span> <span" in page and "Order import: running</span>" in page


# --- Sync now -------------------------------------------------------------------------------------


def queued():
    return [(task.task["func"], task.task["args"]) for task in OrmQ.objects.all()]


@pytest.mark.parametrize("who", ["owner", "member"])
def test_sync_now_enqueues_the_article_sync_and_the_order_transfer_after_commit(
    client, active_a, who, django_capture_on_commit_callbacks
):
    user = User.objects.create_user(username=who, password="pw", is_staff=True)
    Membership.objects.create(tenant=active_a, user=user, role=who)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("sync_now", args=["a"]))
    assert response.status_code == 302 and response.url == reverse("admin:index") + "?watch=a"
    assert queued() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(queued()) == [
        (tasks.sync_articles.path, (active_a.pk, "manual")),
        (tasks.transfer_orders.path, (active_a.pk, "manual")),
    ]
    page = client.get(response.url).content.decode()
    assert "Company A: the article sync and the order transfer start in a moment." in page
    assert 'data-progress-url="/tenants/a/progress.json" data-watch' in page


def test_sync_now_refuses_an_inactive_tenant(client, owner_a, tenant_a, django_capture_on_commit_callbacks):
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sync_now", args=["a"]), follow=True)
    assert (
        "The integration of Company A is not active, so there is nothing to sync" in response.content.decode()
    )
    assert queued() == []


def test_sync_now_needs_a_post_with_the_csrf_token(owner_a, active_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_a)
    assert client.get(reverse("sync_now", args=["a"])).status_code == 405
    assert client.post(reverse("sync_now", args=["a"])).status_code == 403
    assert queued() == []
    page = client.get(reverse("admin:index")).content.decode()
    token = re.search(
        rf'action="{reverse("sync_now", args=["a"])}" class="sync-now"><input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).group(1)
    assert client.post(reverse("sync_now", args=["a"]), {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_sync_now_action_enqueues_active_tenants_only(
    client, superuser, active_a, tenant_b, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:integration_tenant_changelist"),
            {"action": "sync_now", "_selected_action": [active_a.pk, tenant_b.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "start in a moment for: Company A." in page
    assert "Not synced, the integration is not active: Company B." in page
    assert sorted(queued()) == [
        (tasks.sync_articles.path, (active_a.pk, "manual")),
        (tasks.transfer_orders.path, (active_a.pk, "manual")),
    ]


def test_the_sync_now_action_cannot_reach_another_tenant(
    client, member_b, active_a, tenant_b, django_capture_on_commit_callbacks
):
    tenant_b.is_active = True
    tenant_b.save()
    client.force_login(member_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:integration_tenant_changelist"),
            {"action": "sync_now", "_selected_action": [active_a.pk, tenant_b.pk]},
        )
    assert sorted(queued()) == [
        (tasks.sync_articles.path, (tenant_b.pk, "manual")),
        (tasks.transfer_orders.path, (tenant_b.pk, "manual")),
    ]


# --- run history ----------------------------------------------------------------------------------


@pytest.mark.parametrize("changelist", ["syncrun", "syncevent", "ordertransfer"])
def test_the_tenant_filter_lists_only_the_users_tenants(client, owner_a, tenant_a, tenant_b, changelist):
    from tests.conftest import make_tenant

    tenant_c = make_tenant("c", "3333333-3")
    Membership.objects.create(tenant=tenant_c, user=owner_a, role=Membership.Role.MEMBER)
    client.force_login(owner_a)
    url = reverse(f"admin:integration_{changelist}_changelist")
    response = client.get(url)
    page = response.content.decode()
    choices = [
        c["display"]
        for spec in response.context["cl"].filter_specs
        if isinstance(spec, TenantListFilter)
        for c in spec.choices(response.context["cl"])
    ]
    assert choices == ["All", "Company A", "Company C"]
    assert "Company B" not in page
    filtered = client.get(url, {"tenant": tenant_c.pk}).context["cl"].result_list
    assert filtered and {row.tenant for row in filtered} == {tenant_c}
    # another tenant's id in the query string shows nothing of it
    assert list(client.get(url, {"tenant": tenant_b.pk}).context["cl"].result_list) == []
    assert list(client.get(url, {"tenant": "x"}).context["cl"].result_list) == []


def test_run_history_filters_by_kind_status_trigger_and_date(client, owner_a, active_a):
    SyncRun.objects.filter(tenant=active_a).delete()
    wanted = run(
        active_a, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.FAILED, trigger=SyncRun.Trigger.WEBHOOK
    )
    run(active_a, kind=SyncRun.Kind.ORDERS, status=SyncRun.Status.SUCCEEDED, trigger=SyncRun.Trigger.WEBHOOK)
    run(active_a, kind=SyncRun.Kind.ARTICLES, status=SyncRun.Status.FAILED, trigger=SyncRun.Trigger.WEBHOOK)
    run(
        active_a,
        kind=SyncRun.Kind.ORDERS,
        status=SyncRun.Status.FAILED,
        trigger=SyncRun.Trigger.SCHEDULE,
        ago=timedelta(days=40),
    )
    client.force_login(owner_a)
    today = timezone.localdate()
    response = client.get(
        reverse("admin:integration_syncrun_changelist"),
        {
            "tenant": active_a.pk,
            "kind__exact": "orders",
            "status__exact": "failed",
            "trigger__exact": "webhook",
            "started_at__year": today.year,
            "started_at__month": today.month,
            "started_at__day": today.day,
        },
    )
    assert list(response.context["cl"].result_list) == [wanted]


def test_superusers_see_the_task_queues_backlog_owners_do_not(client, superuser, owner_a, active_a, settings):
    settings.SILTA_ORDERS_QUEUE = "silta-orders"
    for _ in range(3):
        async_task(tasks.ping.path, cluster="silta-orders")
    client.force_login(superuser)
    page = dashboard(client)
    assert re.search(r'<tr data-queue="silta-orders"><td>silta-orders</td><td class="waiting">3</td>', page)
    client.force_login(owner_a)
    assert 'id="queue-backlog"' not in dashboard(client)

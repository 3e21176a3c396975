"""Each tenant's schedules: its own intervals, editable by its owners in the admin, stretched by the
shared budget, spread over the interval, and gone on deactivation and deletion."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from integration import tasks
from integration.activation.activate import deactivate
from integration.models import AccountingArticle, JobSchedule, Tenant
from integration.scheduling import installation as ops_signals
from integration.scheduling import ops_tasks, schedules

pytestmark = pytest.mark.django_db


def tenant_schedules(tenant):
    return {
        s.name.rsplit(":", 1)[1]: s for s in Schedule.objects.filter(name__startswith=f"silta:{tenant.pk}:")
    }


def activate(tenant):
    tenant.is_active = True
    tenant.save()
    return schedules.ensure(tenant)


def test_activating_makes_one_schedule_per_job_at_the_tenants_intervals(tenant_a):
    intervals = activate(tenant_a)
    rows = tenant_schedules(tenant_a)
    assert set(rows) == {"articles", "stock", "orders", "webhooks"}
    # the fixture's tenant asked for orders every 3 minutes; the rest are the defaults
    assert (
        {job: s.minutes for job, s in rows.items()}
        == intervals
        == {"articles": 8, "stock": 60, "orders": 3, "webhooks": 1440}
    )
    assert rows["orders"].func == tasks.transfer_orders.path and rows["orders"].args == f"({tenant_a.pk},)"
    activate(tenant_a)  # again, e.g. a re-activation: still one of each
    assert len(tenant_schedules(tenant_a)) == 4 == JobSchedule.objects.filter(tenant=tenant_a).count()


def test_deactivating_and_deleting_leave_no_schedule_but_the_installations(tenant_a, tenant_b):
    activate(tenant_a), activate(tenant_b)
    tenant_a.webshop_connection.delete()  # nothing to remove webhooks from
    tenant_a.refresh_from_db()
    deactivate(tenant_a)
    assert tenant_schedules(tenant_a) == {} and len(tenant_schedules(tenant_b)) == 4
    tenant_b.delete()
    assert not Schedule.objects.filter(name__regex=r"^silta:\d+:").exists()
    ops_signals.ensure_schedules()
    assert set(Schedule.objects.values_list("name", flat=True)) == {
        ops_signals.CLEANUP,
        ops_signals.REPLAN,
        ops_signals.PRUNE_PERSONAL_DATA,
    }


def test_tenants_start_at_different_points_of_the_interval(db):
    now = timezone.now()
    starts = []
    for n in range(10):
        tenant = Tenant.objects.create(name=f"T{n}", slug=f"t{n}", is_active=True)
        schedules.ensure(tenant)
        starts.append(tenant_schedules(tenant)["orders"].next_run)
    assert all(now <= s <= now + timedelta(minutes=2, seconds=5) for s in starts)
    gaps = sorted((s - now).total_seconds() for s in starts)
    assert len(set(round(g) for g in gaps)) >= 8  # spread, not all on the minute


def test_an_owner_edits_an_interval_in_the_admin_and_the_schedule_follows(client, owner_a, tenant_a):
    activate(tenant_a)
    row = JobSchedule.objects.get(tenant=tenant_a, job="articles")
    url = reverse("admin:integration_jobschedule_change", args=[row.pk])
    client.force_login(owner_a)
    page = client.get(url).content.decode()
    assert "8 minutes" in page  # runs every
    response = client.post(url, {"minutes": "30"})
    assert response.status_code == 302
    assert tenant_schedules(tenant_a)["articles"].minutes == 30
    for refused in ("0", "1", "3"):  # under the article sync's floor of 5 minutes
        response = client.post(url, {"minutes": refused})
        assert "This job runs every 5 minutes at the most often." in response.content.decode()
    assert tenant_schedules(tenant_a)["articles"].minutes == 30


def test_a_member_may_see_but_not_change_the_intervals(client, member_b, tenant_b):
    activate(tenant_b)
    row = JobSchedule.objects.get(tenant=tenant_b, job="articles")
    client.force_login(member_b)
    url = reverse("admin:integration_jobschedule_change", args=[row.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"minutes": "30"}).status_code == 403
    assert tenant_schedules(tenant_b)["articles"].minutes == 8


def test_the_shared_budget_stretches_the_reconcile_of_every_tenant_and_refuses_shorter_intervals(
    client, owner_a, tenant_a, tenant_b, settings
):
    settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_PAGE_SIZE = (
        10,
        50,
    )  # a tiny budget: 6.75 a minute planned
    activate(tenant_a), activate(tenant_b)
    for tenant in (tenant_a, tenant_b):  # 2 × (2,000 // 50 + 1) = 82 pages per round of reconciles
        AccountingArticle.objects.bulk_create(
            AccountingArticle(tenant=tenant, article_id=f"{tenant.slug}-{n}", number=f"N{n}")
            for n in range(2_000)
        )
    JobSchedule.objects.filter(tenant=tenant_b, job="stock").update(minutes=600)  # b asked for less often
    text = ops_tasks.replan_schedules()
    # incremental: 2 tenants / 8 minutes = 0.25 a minute; 82 pages / (6.75 − 0.25) = 12.6 → 15 minutes
    assert "'stock': 15" in text
    assert tenant_schedules(tenant_a)["stock"].minutes == 60  # wanted hourly: the budget allows it
    settings.EACCOUNTING_RATE_LIMIT = 1  # 0.675 a minute: incremental reads may take half, 2 / 0.3375 = 5.9
    ops_tasks.replan_schedules()  # → every 10 minutes, 0.2 a minute; reconcile 82 / (0.675 − 0.2) = 172.6 → 175
    assert tenant_schedules(tenant_a)["articles"].minutes == 10
    assert (
        tenant_schedules(tenant_a)["stock"].minutes == 175
        and tenant_schedules(tenant_b)["stock"].minutes == 600
    )
    client.force_login(owner_a)
    row = JobSchedule.objects.get(tenant=tenant_a, job="stock")
    response = client.post(reverse("admin:integration_jobschedule_change", args=[row.pk]), {"minutes": "60"})
    assert "allows this job every 175 minutes at the most often" in response.content.decode()
    settings.EACCOUNTING_RATE_SCOPE = "company"  # each company has a budget of its own: planned alone
    ops_tasks.replan_schedules()
    # one tenant: incremental 1 / 8 = 0.125 a minute, reconcile 41 / (0.675 − 0.125) = 74.5 → 75
    assert (
        tenant_schedules(tenant_a)["stock"].minutes == 75
        and tenant_schedules(tenant_a)["articles"].minutes == 8
    )


def test_the_job_schedules_list_makes_a_fixed_number_of_queries_however_many_rows(client, owner_a, tenant_a):
    """Each row's interval and next run come with the list's own query, not two queries a row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integration.models import Membership

    url = reverse("admin:integration_jobschedule_changelist")
    client.force_login(owner_a)

    def listed():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        return len(captured), page

    activate(tenant_a)
    few, page = listed()
    assert page.count("every 8 minutes") == 1 and page.count("hourly") == 1  # articles, stock
    for n in range(8):  # 9 companies, 36 schedules
        t = Tenant.objects.create(name=f"Yhtiö {n}", slug=f"yhtio-{n}", is_active=True)
        Membership.objects.create(tenant=t, user=owner_a, role=Membership.Role.OWNER)
        schedules.ensure(t)
    many, page = listed()
    assert page.count("every 8 minutes") == 9 and page.count("not scheduled") == 0
    assert many == few, f"{few} queries for 4 rows, {many} for 36"

"""Schedules people understand: presets (every 5, 15, 30 minutes, hourly, daily at a time in the
company's time zone), a floor per job that the page explains, and beside the chosen interval how
often the job runs now (integration/scheduling/presets.py, schedules.py, portal/admin/jobs.py)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Schedule

from integration.models import JobSchedule, Tenant
from integration.scheduling import presets, schedules

HELSINKI = ZoneInfo("Europe/Helsinki")


# --- the mapping (pure) ---------------------------------------------------------------------------------


def test_the_words_for_each_interval():
    assert presets.describe(5) == "every 5 minutes"
    assert presets.describe(60) == "hourly"
    assert presets.describe(120) == "every 2 hours"
    assert presets.describe(1440) == "daily"
    assert presets.describe(1440, time(2, 0)) == "daily at 02:00"


def test_each_job_is_offered_the_presets_from_its_floor_and_silta_s_default():
    assert [m for m, _label in presets.choices("orders")] == [2, 5, 15, 30, 60, 1440]
    assert [m for m, _label in presets.choices("articles")] == [5, 8, 15, 30, 60, 1440]
    assert [m for m, _label in presets.choices("stock")] == [30, 60, 1440]  # reads every article
    assert [m for m, _label in presets.choices("webhooks")] == [60, 1440]
    assert dict(presets.choices("articles"))[8] == "every 8 minutes (Silta's default)"


def test_an_interval_from_before_the_presets_is_kept_as_a_choice():
    assert 45 in dict(presets.choices("stock", 45))  # an owner's earlier "every 45 minutes" stays


def test_the_effective_interval_says_why_when_the_shared_budget_stretches_it():
    assert presets.effective(15, 15) is None and presets.effective(15, None) is None
    assert presets.effective(15, 20) == (
        "runs every 20 minutes now, because eAccounting's request limit shared by every company is busy"
    )


def test_the_next_time_of_day_is_on_the_company_s_clock_over_daylight_saving():
    winter = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 05:00 in Helsinki: 02:00 is tomorrow
    assert schedules.next_at(time(2, 0), HELSINKI, winter) == datetime(2026, 12, 6, 2, 0, tzinfo=HELSINKI)
    assert schedules.next_at(time(2, 0), HELSINKI, winter).astimezone(UTC).hour == 0  # UTC+2
    summer = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert schedules.next_at(time(2, 0), HELSINKI, summer).astimezone(UTC).hour == 23  # UTC+3
    stockholm = ZoneInfo("Europe/Stockholm")
    assert schedules.next_at(time(2, 0), stockholm, winter) == datetime(2026, 12, 6, 2, 0, tzinfo=stockholm)


# --- the admin page and the django-q2 schedule it produces ----------------------------------------------


def activate(tenant):
    tenant.is_active = True
    tenant.save()
    schedules.ensure(tenant)


def change_url(tenant, job):
    return reverse(
        "admin:integration_jobschedule_change", args=[JobSchedule.objects.get(tenant=tenant, job=job).pk]
    )


@pytest.mark.django_db
def test_daily_at_two_makes_a_django_q2_daily_schedule_at_two_on_the_company_s_clock(
    client, owner_a, tenant_a
):
    activate(tenant_a)
    client.force_login(owner_a)
    response = client.post(change_url(tenant_a, "stock"), {"minutes": "1440", "daily_at": "02:00"})
    assert response.status_code == 302
    row = Schedule.objects.get(name=schedules.name(tenant_a.pk, "stock"))
    assert row.schedule_type == Schedule.DAILY
    local = row.next_run.astimezone(HELSINKI)
    assert (local.hour, local.minute) == (2, 0)
    assert row.next_run > datetime.now(UTC)

    schedules.ensure(tenant_a)  # the hourly replan leaves a schedule that is on time alone
    assert Schedule.objects.get(pk=row.pk).next_run == row.next_run

    # the owner moves the company to Stockholm: the schedule follows the new zone's 02:00
    tenant_a.time_zone = "Europe/Stockholm"
    tenant_a.save()
    schedules.ensure(tenant_a)
    moved = Schedule.objects.get(pk=row.pk).next_run.astimezone(ZoneInfo("Europe/Stockholm"))
    assert (moved.hour, moved.minute) == (2, 0)

    listing = client.get(reverse("admin:integration_jobschedule_changelist")).content.decode()
    assert "daily at 02:00 (Europe/Stockholm)" in listing


@pytest.mark.django_db
def test_a_preset_interval_is_a_minutes_schedule_and_a_time_without_daily_is_dropped(
    client, owner_a, tenant_a
):
    activate(tenant_a)
    client.force_login(owner_a)
    assert (
        client.post(change_url(tenant_a, "stock"), {"minutes": "30", "daily_at": "02:00"}).status_code == 302
    )
    row = Schedule.objects.get(name=schedules.name(tenant_a.pk, "stock"))
    assert (row.schedule_type, row.minutes) == (Schedule.MINUTES, 30)
    assert JobSchedule.objects.get(tenant=tenant_a, job="stock").daily_at is None


@pytest.mark.django_db
def test_under_the_floor_is_refused_with_the_reason(client, owner_a, tenant_a):
    activate(tenant_a)
    client.force_login(owner_a)
    page = client.post(change_url(tenant_a, "stock"), {"minutes": "5"}).content.decode()
    assert "This job runs every 30 minutes at the most often." in page
    assert "reads every article in eAccounting" in page
    assert Schedule.objects.get(name=schedules.name(tenant_a.pk, "stock")).minutes == 60
    form = client.get(change_url(tenant_a, "stock")).content.decode()
    assert 'value="5"' not in form and 'value="30"' in form  # not offered at all


@pytest.mark.django_db
def test_an_old_row_under_the_floor_runs_at_the_floor(tenant_a):
    JobSchedule.objects.create(tenant=tenant_a, job="articles", minutes=1)  # saved before the floors
    activate(tenant_a)
    assert Schedule.objects.get(name=schedules.name(tenant_a.pk, "articles")).minutes == 5


@pytest.mark.django_db
def test_the_list_shows_the_interval_the_shared_budget_stretched_beside_the_chosen_one(
    client, owner_a, tenant_a
):
    activate(tenant_a)
    Schedule.objects.filter(name=schedules.name(tenant_a.pk, "articles")).update(
        minutes=20
    )  # as replan stretches
    client.force_login(owner_a)
    page = client.get(reverse("admin:integration_jobschedule_changelist")).content.decode()
    assert "every 8 minutes" in page
    assert (
        "runs every 20 minutes now, because eAccounting&#x27;s request limit shared by every company is busy"
        in page
    )


@pytest.mark.django_db
def test_the_next_run_reads_in_the_reader_s_language_on_the_company_s_clock(client, owner_a, tenant_a):
    activate(tenant_a)
    Schedule.objects.filter(name=schedules.name(tenant_a.pk, "orders")).update(
        next_run=datetime(2026, 12, 4, 22, 46, 52, 115753, tzinfo=UTC)
    )
    client.force_login(owner_a)
    url = change_url(tenant_a, "orders")
    fi = client.get(url, headers={"accept-language": "fi"}).content.decode()
    assert "5.12.2026 klo 0.46" in fi and "+00:00" not in fi
    sv = client.get(url, headers={"accept-language": "sv"}).content.decode()
    assert "2026-12-05 00:46" in sv


@pytest.mark.django_db
def test_owners_of_another_company_and_outsiders_cannot_open_or_change_a_schedule(
    client, three_users, tenant_a, tenant_b
):
    activate(tenant_a)
    url = change_url(tenant_a, "stock")
    for name in ("member_b", "outsider"):
        client.force_login(three_users[name])
        assert client.get(url).status_code in (302, 403, 404)
        client.post(url, {"minutes": "1440", "daily_at": "02:00"})
    assert Schedule.objects.get(name=schedules.name(tenant_a.pk, "stock")).minutes == 60
    client.force_login(three_users["owner_a"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_superuser_s_list_of_every_schedule_makes_a_fixed_number_of_queries(client, superuser, tenant_a):
    url = reverse("admin:integration_jobschedule_changelist")
    client.force_login(superuser)
    activate(tenant_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        schedules.ensure(Tenant.objects.create(name=f"Yhtiö {n}", slug=f"yhtio-{n}", is_active=True))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("every 8 minutes") == 9
    assert len(many) == len(few)

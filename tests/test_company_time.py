"""Dates and times as the reader's language writes them and on the company's clock: one filter
(`company_time`, integration/templatetags/company_time.py) on every page, and each request on the
clock of its user's companies (portal/time_zone.py)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from integration.models import Membership, SyncRun
from integration.templatetags.company_time import company_date, company_time

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 4, 22, 46, 52, 115753, tzinfo=UTC)  # the raw value the schedule page showed


def test_the_filter_writes_the_reader_s_format_on_the_company_s_clock(tenant_a):
    with translation.override("fi"):
        assert company_time(MOMENT, tenant_a) == "5.12.2026 klo 0.46"  # Helsinki, UTC+2
        assert company_date(MOMENT, tenant_a) == "5.12.2026"
    with translation.override("sv"):
        assert company_time(MOMENT, tenant_a) == "2026-12-05 00:46"
    tenant_a.time_zone = "Europe/Stockholm"
    with translation.override("sv"):
        assert company_time(MOMENT, tenant_a) == "2026-12-04 23:46"
        assert company_date(MOMENT, tenant_a) == "2026-12-04"
    with translation.override("en"):
        assert company_time(MOMENT, tenant_a) == "12/04/2026 11:46 p.m."  # as Django writes English
    assert company_time(None, tenant_a) == ""


@pytest.mark.parametrize("lang,day", [("fi", "5.12.2026"), ("sv", "2026-12-05")])
def test_the_people_page_shows_dates_in_the_reader_s_language(client, owner_a, tenant_a, lang, day):
    Membership.objects.filter(user=owner_a).update(created_at=MOMENT)
    client.force_login(owner_a)
    page = client.get(reverse("tenant_people", args=[tenant_a.slug]), headers={"accept-language": lang})
    assert page.status_code == 200
    text = page.content.decode()
    assert day in text and "12/05/2026" not in text and "12/04/2026" not in text


def test_an_owner_reads_the_admin_s_times_on_the_company_s_clock(client, owner_a, tenant_a):
    tenant_a.time_zone = "America/New_York"
    tenant_a.save()
    SyncRun.objects.filter(tenant=tenant_a).update(started_at=MOMENT)
    client.force_login(owner_a)
    page = client.get(reverse("admin:integration_syncrun_changelist"), headers={"accept-language": "sv"})
    text = page.content.decode()
    assert "4 december 2026 17:46" in text  # New York, UTC−5: not Helsinki's 5 December 00:46


def test_an_owner_picks_the_company_s_time_zone_from_a_list_and_a_made_up_one_is_refused(
    client, owner_a, tenant_a
):
    from django.core.exceptions import ValidationError

    client.force_login(owner_a)
    html = client.get(reverse("admin:integration_tenant_change", args=[tenant_a.pk])).content.decode()
    assert '<select name="time_zone"' in html
    assert '<option value="Europe/Helsinki" selected>Europe/Helsinki</option>' in html
    assert tenant_a.time_zone == "Europe/Helsinki"  # the installation's TIME_ZONE by default
    tenant_a.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        tenant_a.full_clean()
    assert "“Mars/Olympus_Mons” is not a time zone" in str(refused.value)

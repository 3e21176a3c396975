"""Activation against both sandboxes: the pre-flight page, No changes nothing, Yes saves the defaults."""

import pytest
from django.urls import reverse

from integration.models import ArticleTemplate, Membership, TaxClassMapping

from ..conftest import connect_both

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ready(ea, wc, live_server, settings, django_user_model, client):
    """A tenant connected to both sandboxes, and its owner logged in."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "ready")
    owner = django_user_model.objects.create_user(username="owner", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    return tenant


def test_the_page_asks_the_question_after_a_clean_preflight(ready, client):
    response = client.get(reverse("tenant_activate", args=[ready.slug]))
    assert response.status_code == 200
    preflight = response.context["preflight"]
    assert preflight.ok, preflight.blockers
    assert "Activate integration?" in response.content.decode()
    assert len(preflight.tax_classes) == 4


def test_no_changes_nothing(ready, client, wc):
    response = client.post(reverse("tenant_activate", args=[ready.slug]), {"answer": "no"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert not ready.is_active
    assert not TaxClassMapping.objects.filter(tenant=ready).exists()
    assert wc.control("GET", "/webhooks") == []


def test_yes_activates_with_defaults_and_registers_webhooks(ready, client, wc, live_server):
    response = client.post(reverse("tenant_activate", args=[ready.slug]), {"answer": "yes"})
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.is_active and ready.activated_at
    assert TaxClassMapping.objects.filter(tenant=ready).count() == 4
    assert ArticleTemplate.objects.filter(tenant=ready, kind="goods").count() == 4
    hooks = wc.control("GET", "/webhooks")
    assert {h["topic"] for h in hooks} == {"order.created", "order.updated", "product.updated"}
    assert all(h["delivery_url"].startswith(live_server.url) for h in hooks)


def test_a_currency_mismatch_is_shown_and_refused(ready, client, wc):
    wc.control("PATCH", "/settings", {"currency": "SEK"})
    try:
        page = client.get(reverse("tenant_activate", args=[ready.slug]))
        assert "sells in SEK" in page.content.decode()
        client.post(reverse("tenant_activate", args=[ready.slug]), {"answer": "yes"})
        ready.refresh_from_db()
        assert not ready.is_active
    finally:
        wc.control("PATCH", "/settings", {"currency": "EUR"})


def test_activation_schedules_the_jobs_once_and_deactivation_removes_them(ready, client):
    from django_q.models import Schedule

    from integration.activation.activate import deactivate
    from integration.models import JobSchedule
    from integration.scheduling import schedules

    client.post(reverse("tenant_activate", args=[ready.slug]), {"answer": "yes"})
    tenants = Schedule.objects.filter(name__startswith=f"silta:{ready.pk}:")  # besides the installation's own
    names = sorted(tenants.values_list("name", flat=True))
    assert names == sorted(schedules.name(ready.pk, job) for job in schedules.JOBS)
    JobSchedule.objects.filter(tenant=ready, job="articles").update(minutes=25)  # the tenant's own interval
    schedules.ensure(ready)  # e.g. a re-activation
    assert tenants.count() == len(schedules.JOBS)
    assert Schedule.objects.get(name=schedules.name(ready.pk, "articles")).minutes == 25
    ready.refresh_from_db()
    deactivate(ready)
    assert not tenants.exists()
    ready.refresh_from_db()
    assert not ready.is_active


def test_deleting_a_tenant_removes_its_schedules(ready, client):
    from django_q.models import Schedule

    client.post(reverse("tenant_activate", args=[ready.slug]), {"answer": "yes"})
    tenants = Schedule.objects.filter(name__startswith=f"silta:{ready.pk}:")
    assert tenants.exists()
    ready.delete()
    assert not tenants.exists()
    assert Schedule.objects.filter(name="silta:cleanup").exists()  # installation-wide: stays

"""Records are not settings: sync runs and their events, webhook deliveries, the audit trail,
webshop-order conversions, article links and the copies of eAccounting's lists are view only, for
superusers too (portal/admin/records.py)."""

import pytest
from django.urls import reverse

from integration.models import (
    AccountingArticle,
    AccountingCustomer,
    ArticleLink,
    AuditEntry,
    SyncEvent,
    SyncRun,
    WebhookDelivery,
    WebshopOrderConversion,
)

pytestmark = pytest.mark.django_db

RECORDS = [
    SyncRun,
    SyncEvent,
    WebhookDelivery,
    AuditEntry,
    WebshopOrderConversion,
    ArticleLink,
    AccountingArticle,
    AccountingCustomer,
]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_a_superuser_sees_a_record_but_cannot_add_change_or_delete_it(client, superuser, tenant_a, model):
    client.force_login(superuser)
    row = model.objects.filter(tenant=tenant_a).first()
    assert row is not None

    listing = client.get(_url(model, "changelist"))
    assert listing.status_code == 200
    assert listing.context["has_add_permission"] is False
    assert _url(model, "add") not in listing.content.decode()  # no *Add* button

    assert client.get(_url(model, "add")).status_code == 403
    page = client.get(_url(model, "change", row.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False  # shown read-only
    assert 'name="_save"' not in page.content.decode()
    assert client.post(_url(model, "change", row.pk), {}).status_code == 403
    assert client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()

"""Order pages in the admin: the dashboard's flags, template articles from the tenant's own list, Retry."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_q.models import OrmQ

from integration import tasks
from integration.models import AccountingArticle, MethodArticle, OrderSettings, OrderTransfer, ShopMethod

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_a(tenant_a):
    tenant_a.is_active = True
    tenant_a.save()
    ShopMethod.objects.create(tenant=tenant_a, kind=ShopMethod.Kind.PAYMENT, key="cod", title="Postiennakko")
    return tenant_a


def test_the_dashboard_flags_waiting_orders_and_methods_without_template(client, owner_a, active_a, tenant_b):
    client.force_login(owner_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert "1 waiting for a person" in page
    assert "No template article: Postiennakko" in page
    waiting = client.get(
        reverse("admin:integration_ordertransfer_changelist"),
        {"tenant": active_a.pk, "status__in": "waiting,held"},
    ).content.decode()
    assert "W-a" in waiting and "W-b" not in waiting


def test_the_dashboard_keeps_a_fixed_number_of_queries(client, owner_a, active_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integration.models import Membership, Tenant

    client.force_login(owner_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("admin:index")).content.decode()
        return len(captured), page

    few, _ = queries()
    for n in range(5):  # more tenants, methods and transfers: not more queries
        t = Tenant.objects.create(name=f"More {n}", slug=f"more-{n}", is_active=True)
        Membership.objects.create(tenant=t, user=owner_a, role=Membership.Role.OWNER)
        ShopMethod.objects.create(tenant=t, kind="shipping", key="flat_rate:1", title=f"Posti {n}")
        OrderTransfer.objects.create(tenant=t, shop_order_id=1, shop_order_number=f"M-{n}", status="waiting")
    many, page = queries()
    assert many == few and few < 20
    assert "Posti 4" in page


def test_a_template_article_must_be_the_tenants_own(active_a, tenant_b):
    method = ShopMethod.objects.get(tenant=active_a, key="cod")
    foreign = AccountingArticle.objects.get(tenant=tenant_b)
    with pytest.raises(ValidationError, match="own eAccounting articles"):
        MethodArticle(method=method, article=foreign).full_clean()
    settings = OrderSettings.objects.get(tenant=active_a)
    settings.rounding_article = foreign
    with pytest.raises(ValidationError, match="own records"):
        settings.full_clean()


def test_an_owner_cannot_pick_another_tenants_article_on_the_method_page(client, owner_a, active_a, tenant_b):
    client.force_login(owner_a)
    method = ShopMethod.objects.get(tenant=active_a, key="cod")
    foreign = AccountingArticle.objects.get(tenant=tenant_b)
    url = reverse("admin:integration_shopmethod_change", args=[method.pk])
    form = {
        "delivery_method_code": "",
        "terms_of_payment_id": "",
        "articles-TOTAL_FORMS": "1",
        "articles-INITIAL_FORMS": "0",
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        "articles-0-article": foreign.pk,
        "articles-0-method": method.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the error
    assert not MethodArticle.objects.filter(method=method).exists()
    own = AccountingArticle.objects.get(tenant=active_a)
    response = client.post(url, {**form, "articles-0-article": own.pk})
    assert response.status_code == 302
    assert MethodArticle.objects.get(method=method).article == own


def test_retry_enqueues_the_tenants_waiting_orders_and_nobody_elses(
    client, owner_a, member_b, active_a, tenant_b, django_capture_on_commit_callbacks
):
    url = reverse("admin:integration_ordertransfer_changelist")
    mine = OrderTransfer.objects.get(tenant=active_a)
    theirs = OrderTransfer.objects.get(tenant=tenant_b)
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "retry", "_selected_action": [mine.pk, theirs.pk]}, follow=True
        )
    assert "1 order(s) will be tried again" in response.content.decode()
    queued = [task for task in OrmQ.objects.all()]
    assert len(queued) == 1
    assert queued[0].task["func"] == tasks.transfer_orders.path
    assert queued[0].task["args"] == (active_a.pk, "manual", [1])


def test_book_lines_as_one_unit_is_the_waiting_orders_own_choice_audited(
    client, owner_a, member_b, outsider, active_a, tenant_b, django_capture_on_commit_callbacks
):
    """The one-click fix of "book this line as 1 × 1.00": owners and members of the order's company only."""
    from integration.models import AuditEntry

    url = reverse("admin:integration_ordertransfer_changelist")
    mine = OrderTransfer.objects.get(tenant=active_a)
    theirs = OrderTransfer.objects.get(tenant=tenant_b)
    OrderTransfer.objects.filter(pk__in=[mine.pk, theirs.pk]).update(status=OrderTransfer.Status.WAITING)
    form = {"action": "book_lines_as_one_unit", "_selected_action": [mine.pk, theirs.pk]}
    # An outsider (staff, no company) gets no such action and changes nothing
    client.force_login(outsider)
    client.post(url, form, follow=True)
    assert not OrderTransfer.objects.filter(lines_as_one_unit=True).exists()
    # A member of the other company changes only their own company's order
    client.force_login(member_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form, follow=True)
    assert OrderTransfer.objects.filter(pk=theirs.pk, lines_as_one_unit=True).exists()
    assert not OrderTransfer.objects.get(pk=mine.pk).lines_as_one_unit
    # The owner of the order's company
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form, follow=True)
    assert "1 waiting order(s) will book such lines as one unit" in response.content.decode()
    assert OrderTransfer.objects.get(pk=mine.pk).lines_as_one_unit
    entries = AuditEntry.objects.filter(action="booked_as_one_unit")
    assert sorted((e.tenant_id, e.username) for e in entries) == sorted(
        [(active_a.pk, "owner_a"), (tenant_b.pk, "member_b")]
    )
    queued = [t.task["args"] for t in OrmQ.objects.all() if t.task["func"] == tasks.transfer_orders.path]
    assert (active_a.pk, "manual", [mine.shop_order_id]) in queued
    assert all(args[0] != active_a.pk or args[2] == [mine.shop_order_id] for args in queued)

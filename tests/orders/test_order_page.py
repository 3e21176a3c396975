"""The order's own page (the OrderTransfer admin change view): reasons in the reader's language with their fix,
Retry on the page, who may see and press what, and the list's reason column and filter."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration import tasks
from integration.models import AuditEntry, Membership, OrderTransfer, ShopMethod
from integration.orders.outcomes import Reason, WaitReason

pytestmark = pytest.mark.django_db

NO_TEMPLATE = Reason(
    WaitReason.NO_TEMPLATE_ARTICLE,
    {"subject": "shipping", "title": "Posti", "key": "flat_rate:1", "rate": "14"},
)


@pytest.fixture
def waiting(tenant_a):
    ShopMethod.objects.get_or_create(
        tenant=tenant_a, kind="shipping", key="flat_rate:1", defaults={"title": "Posti"}
    )
    return OrderTransfer.objects.create(
        tenant=tenant_a,
        shop_order_id=4711,
        shop_order_number="4711",
        status=OrderTransfer.Status.WAITING,
        reason=NO_TEMPLATE.english(),
        reason_codes=[NO_TEMPLATE.as_json()],
        shop_total="24.90",
        shop_vat="5.06",
        currency="EUR",
        attempts=3,
    )


def page_url(transfer):
    return reverse("admin:integration_ordertransfer_change", args=[transfer.pk])


def retry_url(transfer):
    return reverse("admin:integration_ordertransfer_retry", args=[transfer.pk])


def test_the_owner_reads_why_it_waits_in_their_language_with_the_fix(client, owner_a, waiting):
    client.force_login(owner_a)
    method = ShopMethod.objects.get(tenant=waiting.tenant, kind="shipping", key="flat_rate:1")
    english = client.get(page_url(waiting)).content.decode()
    assert "no template article — set one in Shop methods" in english
    assert f'href="{reverse("admin:integration_shopmethod_change", args=[method.pk])}"' in english
    assert "24.90 EUR" in english and "Silta has tried it 3 times." in english
    assert 'id="retry-form"' in english
    finnish = client.get(page_url(waiting), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "ei malliartikkelia" in finnish and "Yritä uudelleen" in finnish
    swedish = client.get(page_url(waiting), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "ingen mallartikel" in swedish and "Försök igen" in swedish


def test_a_row_from_before_codes_shows_its_stored_text(client, owner_a, tenant_a):
    old = OrderTransfer.objects.create(
        tenant=tenant_a,
        shop_order_id=9001,
        shop_order_number="9001",
        status="waiting",
        reason="An old sentence.",
    )
    client.force_login(owner_a)
    assert "An old sentence." in client.get(page_url(old), HTTP_ACCEPT_LANGUAGE="fi").content.decode()


def test_retry_on_the_page_queues_the_one_order_and_is_audited(
    client, owner_a, waiting, django_capture_on_commit_callbacks
):
    client.force_login(owner_a)
    assert client.get(retry_url(waiting)).status_code == 405  # a change: POST only
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(retry_url(waiting))
    assert answer.status_code == 302 and answer["Location"] == page_url(waiting)
    queued = [(q.task["func"], q.task["args"]) for q in OrmQ.objects.all()]
    assert queued == [(tasks.transfer_orders.path, (waiting.tenant_id, "manual", [4711]))]
    entry = AuditEntry.objects.get(tenant=waiting.tenant, action=AuditEntry.Action.RETRIED)
    assert (
        entry.action == AuditEntry.Action.RETRIED and "4711" in entry.target and entry.username == "owner_a"
    )


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_others_neither_see_the_page_nor_retry(
    client, three_users, waiting, who, django_capture_on_commit_callbacks
):
    client.force_login(three_users[who])
    audited = AuditEntry.objects.count()
    page = client.get(page_url(waiting))
    assert page.status_code != 200 or "no template article" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry_url(waiting)).status_code in (403, 404)
    for name in ("book_as_one_unit", "booked_by_hand"):
        url = reverse(f"admin:integration_ordertransfer_{name}", args=[waiting.pk])
        assert client.post(url).status_code in (403, 404)
    assert not OrmQ.objects.exists() and AuditEntry.objects.count() == audited
    waiting.refresh_from_db()
    assert waiting.status == OrderTransfer.Status.WAITING


FOREIGN = Reason(WaitReason.FOREIGN_CURRENCY, {"currency": "SEK", "company_currency": "EUR"})


@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_an_order_silta_cannot_transfer_is_marked_as_entered_by_hand(
    client, django_user_model, owner_a, waiting, who
):
    """No fix in Silta by design (another currency): the page says what to do and offers the one action that
    ends the wait, for owners and members, audited; the order is "Not done" for good, without a document."""
    waiting.reason_codes, waiting.reason = [FOREIGN.as_json()], FOREIGN.english()
    waiting.save()
    user = owner_a
    if who == "member_a":
        user = django_user_model.objects.create_user("member_a", password="pw-member", is_staff=True)
        Membership.objects.create(tenant=waiting.tenant, user=user, role=Membership.Role.MEMBER)
    client.force_login(user)
    url = reverse("admin:integration_ordertransfer_booked_by_hand", args=[waiting.pk])
    page = client.get(page_url(waiting)).content.decode()
    assert "Enter this one in eAccounting by hand." in page and f'action="{url}"' in page
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason_codes, waiting.document_id) == ("skipped", [], "")
    entry = AuditEntry.objects.get(tenant=waiting.tenant, action=AuditEntry.Action.BOOKED_BY_HAND)
    assert "4711" in entry.target and entry.username == user.username
    after = client.get(page_url(waiting), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert f'action="{url}"' not in after and 'id="retry-form"' not in after


def test_superusers_view_but_neither_add_nor_change(client, superuser, waiting):
    client.force_login(superuser)
    assert client.get(page_url(waiting)).status_code == 200
    assert client.get(reverse("admin:integration_ordertransfer_add")).status_code == 403
    client.post(page_url(waiting), {"status": "done", "reason": "", "shop_order_number": "X"})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.shop_order_number) == ("waiting", "4711")


def test_the_list_shows_the_reason_and_filters_by_it(client, owner_a, waiting, tenant_a):
    OrderTransfer.objects.create(tenant=tenant_a, shop_order_id=2, shop_order_number="2", status="done")
    client.force_login(owner_a)
    changelist = reverse("admin:integration_ordertransfer_changelist")
    page = client.get(changelist, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Tavalta puuttuu malliartikkeli" in page
    only = client.get(changelist, {"reason": "no_template_article"}).context["cl"].result_list
    assert [t.shop_order_number for t in only] == ["4711"]
    none = client.get(changelist, {"reason": "no_sku"}).context["cl"].result_list
    assert list(none) == []

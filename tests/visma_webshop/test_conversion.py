"""Webshop orders into paid invoices against the eAccounting sandbox, whichever way eAccounting treats a
converted order (gone from the list, or still listed and convertible again): each order once, and never
one a person converted already."""

import pytest
from django.utils import timezone

from integration.models import (
    ContractKey,
    ContractSetting,
    ContractSource,
    SyncEvent,
    SyncRun,
    WebshopOrderConversion,
)
from integration.visma_webshop.conversion import convert_orders

from .conftest import converting

pytestmark = pytest.mark.django_db
MODES = ["removed", "kept"]
Outcome = WebshopOrderConversion.Outcome


@pytest.fixture(params=MODES)
def mode(request, shop):
    shop.ea.settings(webshop_converted_orders=request.param)
    return request.param


def _rows(shop, n=2):
    numbers = sorted(shop.articles())[:n]
    return [{"ArticleNumber": number, "Quantity": q + 1} for q, number in enumerate(numbers)]


def _orders(shop, count):
    return [
        shop.webshop_order(_rows(shop), Name=f"Asiakas {n}", EmailAddress=f"asiakas{n}@example.fi")
        for n in range(count)
    ]


def _invoices_by_email(shop):
    found = {}
    for invoice in shop.invoices():
        found.setdefault(invoice.get("CustomerEmail"), []).append(invoice)
    return found


def test_nothing_is_converted_until_the_owner_opts_in(shop):
    _orders(shop, 2)
    assert convert_orders(shop.tenant) is None
    assert shop.invoices() == [] and not WebshopOrderConversion.objects.exists()


def test_each_order_becomes_one_paid_invoice_and_a_second_run_adds_nothing(shop, mode):
    orders = _orders(shop, 3)
    converting(shop)
    run = convert_orders(shop.tenant)
    assert run.kind == SyncRun.Kind.WEBSHOP_ORDERS and run.counts["created"] == 3
    invoices = _invoices_by_email(shop)
    assert {email: len(found) for email, found in invoices.items()} == {o["EmailAddress"]: 1 for o in orders}
    assert all(found[0]["PaymentStatus"] == 0 for found in invoices.values())  # 0 = paid
    rows = WebshopOrderConversion.objects.filter(tenant=shop.tenant)
    assert {r.invoice_id for r in rows} == {found[0]["Id"] for found in invoices.values()}
    assert {r.invoice_number for r in rows} == {str(found[0]["InvoiceNumber"]) for found in invoices.values()}
    assert set(rows.values_list("outcome", flat=True)) == {Outcome.CONVERTED}

    again = convert_orders(shop.tenant)
    assert "created" not in again.counts and len(shop.invoices()) == 3


def test_an_order_converted_by_hand_is_recorded_and_not_converted_again(shop, mode):
    _orders(shop, 2)
    converting(shop)
    convert_orders(shop.tenant)
    assert len(shop.invoices()) == 2
    later = shop.webshop_order(_rows(shop), Name="Käsin", EmailAddress="kasin@example.fi")
    shop.convert_by_hand(later["Id"])
    run = convert_orders(shop.tenant)
    assert len(_invoices_by_email(shop)["kasin@example.fi"]) == 1
    row = WebshopOrderConversion.objects.filter(webshop_order_id=later["Id"]).first()
    if mode == "removed":  # it left the list before Silta saw it: nothing to convert, nothing to record
        assert row is None
        return
    assert row.status == WebshopOrderConversion.Status.DONE and row.outcome == Outcome.BY_HAND
    assert "Converted by a person" in row.reason and row.invoice_id
    assert run.events.get(item=row.order_number).outcome == SyncEvent.Outcome.SKIPPED


def test_an_order_seen_then_converted_by_hand_before_silta_got_to_it(shop, mode):
    """Silta has a row for the order (a run stopped before converting it); then a person converts it."""
    order = shop.webshop_order(_rows(shop), Name="Odottaja", EmailAddress="odottaja@example.fi")
    converting(shop)
    WebshopOrderConversion.objects.create(
        tenant=shop.tenant,
        webshop_order_id=order["Id"],
        order_number=order["OrderNumber"],
        order_date=timezone.now(),
        fingerprint=_fingerprint(order),
    )
    shop.convert_by_hand(order["Id"])
    convert_orders(shop.tenant)
    row = WebshopOrderConversion.objects.get(webshop_order_id=order["Id"])
    assert row.outcome == Outcome.BY_HAND
    assert len(_invoices_by_email(shop)["odottaja@example.fi"]) == 1


def _fingerprint(order):
    from integration.visma_webshop.conversion_match import fingerprint

    return fingerprint(order)


def test_an_order_placed_before_opting_in_is_left_for_a_person(shop):
    old = shop.webshop_order(_rows(shop), Name="Vanha", EmailAddress="vanha@example.fi")
    converting(shop, since=timezone.now() + timezone.timedelta(minutes=1))
    run = convert_orders(shop.tenant)
    listed = len(shop.api.get(shop.api.v2("webshoporders")).json()["Data"])
    assert run.counts == {"placed before conversion was switched on": listed} and listed >= 1
    assert (
        shop.invoices() == []
        and not WebshopOrderConversion.objects.filter(webshop_order_id=old["Id"]).exists()
    )


def test_a_lost_answer_is_settled_by_looking_first_never_by_converting_again(shop, mode):
    order = shop.webshop_order(_rows(shop), Name="Pudonnut", EmailAddress="pudonnut@example.fi")
    converting(shop)
    shop.ea.settings(drop_after_commit_next=1)
    first = convert_orders(shop.tenant)
    assert first.counts["failed"] == 1 and "created" not in first.counts
    row = WebshopOrderConversion.objects.get(webshop_order_id=order["Id"])
    assert row.status == WebshopOrderConversion.Status.SENDING and not row.invoice_id
    assert len(shop.invoices()) == 1  # eAccounting did convert it

    convert_orders(shop.tenant)
    row.refresh_from_db()
    assert row.status == WebshopOrderConversion.Status.DONE and row.outcome == Outcome.CONVERTED
    assert [i["Id"] for i in shop.invoices()] == [row.invoice_id]


def test_twin_orders_need_two_invoices(shop, mode):
    """The same customer orders the same things twice; a person converts one: Silta converts the other.

    Silta has converted an order before, so it knows whether converted orders leave the list."""
    _orders(shop, 1)
    converting(shop)
    convert_orders(shop.tenant)
    learned = ContractSetting.objects.get(key=ContractKey.CONVERTED_ORDERS_STAY_LISTED)  # installation-wide
    assert learned.value is (mode == "kept") and learned.source == ContractSource.LEARNED
    rows = _rows(shop)
    first = shop.webshop_order(rows, Name="Kaksonen", EmailAddress="kaksonen@example.fi")
    second = shop.webshop_order(rows, Name="Kaksonen", EmailAddress="kaksonen@example.fi")
    shop.convert_by_hand(first["Id"])
    convert_orders(shop.tenant)
    assert len(_invoices_by_email(shop)["kaksonen@example.fi"]) == 2
    twins = WebshopOrderConversion.objects.filter(
        order_number__in=[first["OrderNumber"], second["OrderNumber"]]
    )
    assert twins.filter(status=WebshopOrderConversion.Status.DONE).count() == (1 if mode == "removed" else 2)

"""An order's typed events and its timeline, against both sandboxes: one event per change, never per poll;
a change of Silta's planning rules is no change of the order; a one-order webhook reads only that order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integration.models import OrderEvent, OrderStep, OrderTransfer, ReferenceData
from integration.orders import document_body
from integration.orders.planning import OrderPlan
from integration.orders.timeline import order_timeline
from integration.orders.transfer import transfer_orders

from .conftest import PRIVATE

pytestmark = pytest.mark.django_db(transaction=True)


def kinds(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(transfer__shop_order_id=order["id"])
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def touch(shop, order, **fields):
    """A change the shop makes to the order (its modified time moves, so the next poll reads it)."""
    assert shop.wc.put(f"/orders/{order['id']}", shop.key, json=fields).status_code == 200


def test_a_waiting_order_polled_again_and_again_has_one_waiting_event_then_its_way_in_the_timeline(
    shop, django_assert_max_num_queries
):
    order = shop.order([("A-255", 1)], billing={**PRIVATE, "email": ""})
    for _ in range(3):  # every poll tries the waiting order again, with the same reason
        transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING and transfer.attempts == 3  # each poll tried it
    assert kinds(order) == ["received", "waiting"]
    (waiting,) = OrderEvent.objects.filter(transfer=transfer, kind="waiting")
    assert waiting.tenant_id == shop.tenant.pk and waiting.run is not None
    assert (
        any("e-mail" in r for r in waiting.params["reasons"]) and "maija" not in str(waiting.params).lower()
    )

    touch(shop, order, billing={**PRIVATE, "email": "maija@example.fi"})  # the owner fixes it in the shop
    transfer_orders(shop.tenant)
    transfer_orders(shop.tenant)  # the echo of Silta's write-back: no new event
    transfer.refresh_from_db()
    assert transfer.status == OrderTransfer.Status.DONE
    assert kinds(order) == ["received", "waiting", "planned", "transferred"]

    with django_assert_max_num_queries(2):
        timeline = order_timeline(transfer)
    assert [e.kind for e in timeline] == ["received", "waiting", "planned", "transferred"]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert timeline[-1].label == "Transferred"
    assert timeline[-1].detail == f"Sales order {transfer.document_number} created in eAccounting."
    assert "e-mail" in timeline[1].detail


def test_invoicing_and_a_change_are_events_once_each(shop):
    for number in ("A-255", "B-14"):
        shop.ea.control("POST", f"companies/{shop.company}/stock", {"number": number, "balance": "20"})
    order = shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    line = order["line_items"][0]["id"]
    assert shop.wc.control("PATCH", f"/orders/{order['id']}", {"line_items": [{"id": line, "quantity": 2}]})
    transfer_orders(shop.tenant)
    touch(shop, order, status="completed")
    transfer_orders(shop.tenant)
    transfer_orders(shop.tenant)
    assert kinds(order) == ["received", "planned", "transferred", "changed", "invoiced"]
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    changed, invoiced = OrderEvent.objects.filter(
        transfer=transfer, kind__in=("changed", "invoiced")
    ).order_by("at")
    assert (
        changed.params["amount"] == "24.80" and invoiced.params["document_number"] == transfer.invoice_number
    )
    assert [e.label for e in order_timeline(transfer)][-2:] == ["Changed", "Invoiced"]


def test_a_change_of_the_planning_rules_neither_updates_an_open_order_nor_holds_an_invoiced_one(
    shop, monkeypatch
):
    for number in ("A-255", "B-14"):
        shop.ea.control("POST", f"companies/{shop.company}/stock", {"number": number, "balance": "20"})
    open_order, invoiced_order = shop.order([("A-255", 1)]), shop.order([("B-14", 2)])
    transfer_orders(shop.tenant)
    touch(shop, invoiced_order, status="completed")
    transfer_orders(shop.tenant)
    before = {t.shop_order_id: t.document_total for t in OrderTransfer.objects.filter(tenant=shop.tenant)}
    assert OrderTransfer.objects.get(shop_order_id=invoiced_order["id"]).invoice_id

    # A new Silta plans the same shop order into another document: a new rules version, other fingerprints.
    monkeypatch.setattr(OrderPlan, "version", OrderPlan.version + 1)
    monkeypatch.setattr(document_body, "fingerprint", lambda order, plan: "planned by other rules")
    for order in (open_order, invoiced_order):
        touch(shop, order, customer_note="Please ring the bell")  # polled again; nothing to book changed
    transfer_orders(shop.tenant)
    updates = OrderStep.objects.filter(tenant=shop.tenant, kind=OrderStep.Kind.UPDATE)
    assert not updates.exists()
    assert {
        t.shop_order_id: t.document_total for t in OrderTransfer.objects.filter(tenant=shop.tenant)
    } == before
    assert "held" not in kinds(invoiced_order) and "changed" not in kinds(open_order)

    # Rows transferred before input fingerprints were kept: the first poll records one, no hold, no update.
    OrderTransfer.objects.filter(tenant=shop.tenant).update(input_hash="", plan_version=0)
    for order in (open_order, invoiced_order):
        touch(shop, order, customer_note="Back door")
    transfer_orders(shop.tenant)
    assert not updates.exists()
    assert all(t.input_hash for t in OrderTransfer.objects.filter(tenant=shop.tenant))

    # A real change in the shop still counts, under any rules: the open order is updated, the invoiced one held.
    for order in (open_order, invoiced_order):
        line = order["line_items"][0]["id"]
        assert shop.wc.control(
            "PATCH", f"/orders/{order['id']}", {"line_items": [{"id": line, "quantity": 3}]}
        )
    transfer_orders(shop.tenant)
    assert {(s.transfer.shop_order_id, s.status) for s in updates} == {
        (open_order["id"], "done"),
        (invoiced_order["id"], "held"),
    }
    assert kinds(open_order)[-1] == "changed" and kinds(invoiced_order)[-1] == "held"


def test_a_webhook_for_one_order_reads_that_order_only_and_no_tax_rates(shop):
    waiting = shop.order([("A-255", 1)], billing={**PRIVATE, "email": ""})
    transfer_orders(shop.tenant)  # reads the tax rates once; the other order waits
    assert OrderTransfer.objects.get(shop_order_id=waiting["id"]).status == OrderTransfer.Status.WAITING
    ReferenceData.objects.filter(tenant=shop.tenant, name="shop.tax_rates").update(
        fetched_at=timezone.now() - timedelta(hours=1)  # older than a poll would use
    )
    order = shop.order([("B-14", 1)])
    seq = max([e["seq"] for e in shop.wc.requests_log()], default=0)
    transfer_orders(shop.tenant, trigger="webhook", order_ids=[order["id"]])
    assert OrderTransfer.objects.get(shop_order_id=order["id"]).status == OrderTransfer.Status.DONE
    made = shop.wc.requests_log(since=seq)
    assert made and not [e for e in made if e["path"].endswith("/taxes")]
    reads = [e for e in made if e["method"] == "GET"]
    assert [(e["path"], e["query"].get("include")) for e in reads] == [
        ("/wp-json/wc/v3/orders", str(order["id"]))
    ]
    ids = {u["id"] for e in made if e["path"].endswith("/orders/batch") for u in e["json"]["update"]}
    notes = {e["path"] for e in made if e["path"].endswith("/notes")}
    assert ids == {order["id"]} and notes == {f"/wp-json/wc/v3/orders/{order['id']}/notes"}

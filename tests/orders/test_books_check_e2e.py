"""Acceptance 4 of #17 against both sandboxes: after a run of orders the books check finds no difference;
an invoice changed by hand in eAccounting is named."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from integration import tasks
from integration.models import BooksCheck, OrderTransfer
from integration.orders import books_reader
from integration.orders.document_plan import HELSINKI
from integration.orders.transfer import transfer_orders

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _period(order: dict) -> str:
    created = datetime.fromisoformat(order["date_created_gmt"]).replace(tzinfo=UTC).astimezone(HELSINKI)
    return f"{created:%Y-%m}"


def test_the_books_agree_after_a_run_and_a_hand_changed_invoice_is_named(shop, capsys):
    orders = [
        shop.order(
            [("A-255", 2), ("B-14", 1)], shipping_lines=[{"method_id": "flat_rate", "instance_id": 1}]
        ),
        shop.order([("B-14", 3)]),
        shop.order([("A-255", 1)]),
    ]
    transfer_orders(shop.tenant)
    for order in orders[:2]:
        assert (
            shop.wc.put(f"/orders/{order['id']}", shop.key, json={"status": "completed"}).status_code == 200
        )
    transfer_orders(shop.tenant)  # the first two invoiced; the third stays an open sales order
    period = _period(orders[0])

    check = BooksCheck.objects.create(tenant=shop.tenant, period=period)
    outcome = tasks.books_check(check.pk)
    check.refresh_from_db()
    assert outcome == "3 orders, 1 differences", check.differences
    check.refresh_from_db()
    third = orders[2]["number"]
    assert check.status == "done" and check.progress_done == check.progress_total == 3
    # The only line: the third order is not invoiced (an open sales order is not in the books)
    assert len(check.differences) == 1 and check.differences[0].startswith(f"Order {third}: not invoiced yet")
    rows = {r["order"]: r for r in check.rows}
    first = rows[orders[0]["number"]]
    assert first["differences"] == "" and first["booked total"] == orders[0]["total"]

    # Invoice the third too: no difference at all
    assert (
        shop.wc.put(f"/orders/{orders[2]['id']}", shop.key, json={"status": "completed"}).status_code == 200
    )
    transfer_orders(shop.tenant)
    assert books_reader.read(shop.tenant, period).differences == []

    # A person changes the first order's invoice by hand in eAccounting: 0.05 more VAT at 25.5 %
    transfer = OrderTransfer.objects.get(shop_order_id=orders[0]["id"])
    invoice = next(i for i in shop.documents("invoices") if i["Id"] == transfer.invoice_id)
    spec = [
        dict(s, VatAmountInvoiceCurrency=round(s["VatAmountInvoiceCurrency"] + 0.05, 2))
        if s["VatPercent"] == 25.5
        else s
        for s in invoice["VatSpecification"]
    ]
    shop.ea.control(
        "PATCH",
        f"companies/{shop.company}/invoices/{invoice['Id']}",
        {"VatSpecification": spec, "TotalVatAmount": round(invoice["TotalVatAmount"] + 0.05, 2)},
    )
    differences = books_reader.read(shop.tenant, period).differences
    shop_vat = next(t for t in orders[0]["tax_lines"] if t["rate_id"] == 1)
    vat_255 = sum(float(x) for x in (shop_vat["tax_total"], shop_vat["shipping_tax_total"]))
    assert differences == [
        f"Order {orders[0]['number']}: VAT at 25.5 %: the shop {vat_255:.2f}, eAccounting {vat_255 + 0.05:.2f}",
        f"Order {orders[0]['number']}: total: the shop {orders[0]['total']}, "
        f"eAccounting {float(orders[0]['total']) + 0.05:.2f}",
    ]
    # The command says the same and fails
    with pytest.raises(SystemExit) as exited:
        call_command("books_check", shop.tenant.slug, period)
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "3 shop orders, 0 documents without an order, 2 differences" in out and "VAT at 25.5 %" in out

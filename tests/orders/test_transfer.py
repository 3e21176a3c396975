"""Web orders into eAccounting against both sandboxes, amounts checked by hand to the cent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from integration.models import AccountingCustomer, OrderSettings, OrderTransfer, ReferenceData, SyncCursor
from integration.orders import reference
from integration.orders.transfer import transfer_orders
from integration.sync.article_sync import sync_articles
from tests.fixtures.order_shops import both_platforms

from .conftest import PRIVATE

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
# What eAccounting holds of the private buyer (conftest.PRIVATE), whichever shop the order came from.
CUSTOMER = {
    "Name": "Maija Meikäläinen",
    "IsPrivatePerson": True,
    "EmailAddress": "maija@example.fi",
    "InvoiceAddress1": "Kauppakatu 1",
    "InvoicePostalCode": "70100",
    "InvoiceCity": "Kuopio",
    "InvoiceCountryCode": "FI",
    "Telephone": "+358401234567",
}


def test_a_private_customers_order_becomes_one_sales_order_with_shipping_split_by_rate(shop):
    order = shop.order(
        [("A-255", 2), ("B-14", 3)], shipping_lines=[{"method_id": "flat_rate", "instance_id": 1}]
    )
    run = transfer_orders(shop.tenant)
    assert run.status == "succeeded", run.error
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    # By hand. Goods gross: A 2 × 12.40 = 24.80 (net 24.80/1.255 = 19.76, VAT 5.04); B 3 × 5.70 = 17.10
    # (net 17.10/1.14 = 15.00, VAT 2.10). Shipping 5.90 net split by the goods' nets 19.76 : 15.00:
    # 25.5 % part 5.90 × 19.76/34.76 = 3.35 (VAT 0.85425), 14 % part 2.55 (VAT 0.357) — the shipping
    # line's per-rate taxes are unrounded, as WooCommerce keeps them, so each part's net taken back from
    # its tax is the shop's own: 0.85425 / 0.255 = 3.35 at 25.5 %, 0.357 / 0.14 = 2.55 at 14 %. Rows are
    # gross for a private person: 3.35 + 0.85 = 4.20 and 2.55 + 0.36 = 2.91 (eAccounting: 4.20/1.255 =
    # 3.35 net, VAT 0.85; 2.91/1.14 = 2.55, VAT 0.36).
    # Total gross 24.80 + 17.10 + 4.20 + 2.91 = 49.01; VAT 5.04 + 2.10 + 0.85 + 0.36 = 8.35.
    assert D(order["total"]) == D("49.01") and D(order["total_tax"]) == D("8.35")
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("49.01")
    assert D(str(doc["VatAmount"])) == D("8.35")
    rows = [(r["ArticleNumber"], D(str(r["Quantity"])), D(str(r["UnitPrice"]))) for r in doc["Rows"]]
    assert rows == [
        ("A-255", 2, D("12.40")),
        ("B-14", 3, D("5.70")),
        ("SHIP-255", 1, D("4.20")),
        ("SHIP-14", 1, D("2.91")),
    ]
    assert doc["YourReference"] == order["number"] and doc["Status"] == 2
    customer = AccountingCustomer.objects.get(tenant=shop.tenant, customer_id=doc["CustomerId"])
    assert customer.email == "maija@example.fi" and customer.is_private
    # written back: meta and a note on the shop order
    meta = {m["key"]: m["value"] for m in shop.wc.get(f"/orders/{order['id']}", shop.key).json()["meta_data"]}
    assert meta["_silta_eaccounting_id"] == transfer.document_id
    assert meta["_silta_eaccounting_number"] == str(doc["Number"])
    notes = shop.wc.get(f"/orders/{order['id']}/notes", shop.key).json()
    assert any(f"sales order {doc['Number']}" in n["note"] for n in notes)


@both_platforms
def test_the_same_order_is_the_same_document_on_both_platforms(shop):
    order = shop.order([("A-255", 2), ("B-14", 3)])
    run = transfer_orders(shop.tenant)
    assert run.status == "succeeded", run.error
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    # By hand: A 2 × 12.40 = 24.80 gross (VAT 5.04), B 3 × 5.70 = 17.10 gross (VAT 2.10): 41.90, VAT 7.14
    rows = [(r["ArticleNumber"], D(str(r["Quantity"])), D(str(r["UnitPrice"]))) for r in doc["Rows"]]
    assert rows == [("A-255", 2, D("12.40")), ("B-14", 3, D("5.70"))]
    assert D(order["total"]) == D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("41.90")
    assert D(str(doc["VatAmount"])) == D("7.14")
    assert doc["YourReference"] == order["number"]
    assert transfer.written_back and shop.written_back(order["id"]) == transfer.document_id
    # the buyer became her own eAccounting customer, with what the shop knew of her
    made = shop.documents("customers")
    customer = next(c for c in made if c["Id"] == doc["CustomerId"])
    assert {k: customer.get(k) for k in CUSTOMER} == CUSTOMER
    local = AccountingCustomer.objects.get(tenant=shop.tenant, customer_id=doc["CustomerId"])
    assert (local.name, local.email, local.is_private) == ("Maija Meikäläinen", "maija@example.fi", True)
    # her second order is booked to the same customer: found by e-mail, not created again
    second = shop.order([("B-14", 1)])
    assert transfer_orders(shop.tenant).status == "succeeded"
    again = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=second["id"])
    assert again.status == OrderTransfer.Status.DONE, again.reason
    assert shop.document(again)["CustomerId"] == doc["CustomerId"]
    assert len(made) == len(shop.documents("customers"))
    assert AccountingCustomer.objects.filter(tenant=shop.tenant, email="maija@example.fi").count() == 1


@both_platforms
def test_a_second_run_and_a_webhook_for_the_same_order_make_no_second_document(shop):
    order = shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    transfer_orders(shop.tenant)
    transfer_orders(shop.tenant, trigger="webhook", order_ids=[order["id"]])
    ours = [d for d in shop.documents() if d["YourReference"] == order["number"]]
    assert len(ours) == 1
    assert OrderTransfer.objects.get(shop_order_id=order["id"]).attempts == 1


@both_platforms
def test_a_run_with_nothing_new_and_nothing_waiting_sends_nothing_to_eaccounting(shop):
    """Order runs are frequent and eAccounting's budget is shared by every tenant: a quiet run spends none of it."""
    before = shop.ea.control("GET", "counters")
    assert transfer_orders(shop.tenant).status == "succeeded"
    assert shop.ea.control("GET", "counters") == before
    order = shop.order([("A-255", 1)])
    assert transfer_orders(shop.tenant).status == "succeeded"
    assert OrderTransfer.objects.get(shop_order_id=order["id"]).status == OrderTransfer.Status.DONE
    assert shop.ea.control("GET", "counters") != before  # the counters do see an order's requests


@both_platforms
def test_an_order_by_a_known_buyer_costs_its_document_only(shop):
    """The company's settings are read once in 6 hours; the customers changed in eAccounting before a
    customer is created (when read more than 10 minutes ago) and otherwise once in 6 hours."""

    def reads():
        requests = shop.ea.control("GET", "counters")["requests"]
        return requests.get("GET /v2/companysettings", 0), requests.get("GET /v2/customers", 0)

    def created():
        return shop.ea.control("GET", "counters")["requests"].get("POST /v2/customers", 0)

    shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    before, customers_before = reads(), created()
    SyncCursor.objects.filter(tenant=shop.tenant, name=reference.CUSTOMERS_CURSOR).update(
        value=timezone.now() - timedelta(minutes=11)
    )
    ReferenceData.objects.filter(tenant=shop.tenant, name="eaccounting.company").update(
        fetched_at=timezone.now() - timedelta(hours=5)
    )
    counters = shop.ea.control("GET", "counters")["requests"]
    shop.order([("B-14", 1)])  # the same buyer, known from the first order
    run = transfer_orders(shop.tenant)
    assert reads() == before and created() == customers_before
    assert run.counts["requests_eaccounting"] == 1  # the sales order, nothing else
    assert (
        shop.ea.control("GET", "counters")["requests"].get("POST /v2/orders", 0)
        == counters.get("POST /v2/orders", 0) + 1
    )

    shop.order([("B-14", 3)], billing={**PRIVATE, "email": "uusi@example.fi"})  # a new buyer
    transfer_orders(shop.tenant)  # eAccounting's changed customers first (11 minutes old), then the new one
    assert reads() == (before[0], before[1] + 1) and created() == customers_before + 1
    ReferenceData.objects.filter(tenant=shop.tenant, name="eaccounting.company").update(
        fetched_at=timezone.now() - timedelta(hours=7)
    )
    SyncCursor.objects.filter(tenant=shop.tenant, name=reference.CUSTOMERS_CURSOR).update(
        value=timezone.now() - timedelta(hours=7)
    )
    shop.order([("B-14", 2)])
    transfer_orders(shop.tenant)  # both past 6 hours: read again (the admin's customer pick lists show them)
    assert reads() == (before[0] + 1, before[1] + 2)
    assert OrderTransfer.objects.filter(tenant=shop.tenant, status=OrderTransfer.Status.DONE).count() == 4


@both_platforms
def test_a_customer_added_in_eaccounting_meanwhile_is_used_not_made_again(shop):
    shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)  # the copy of eAccounting's customers is read
    added = shop.client.post(
        "/customers",
        {
            "Name": "Liisa Lisätty",
            "IsPrivatePerson": True,
            "IsActive": True,
            "EmailAddress": "liisa@example.fi",
            "InvoiceCity": "Oulu",
            "InvoicePostalCode": "90100",
            "TermsOfPaymentId": OrderSettings.objects.get(tenant=shop.tenant).terms_of_payment_id,
        },
    )
    SyncCursor.objects.filter(tenant=shop.tenant, name=reference.CUSTOMERS_CURSOR).update(
        value=timezone.now() - timedelta(minutes=11)
    )
    order = shop.order([("B-14", 1)], billing={**PRIVATE, "email": "liisa@example.fi"})
    made = shop.ea.control("GET", "counters")["requests"].get("POST /v2/customers", 0)
    transfer_orders(shop.tenant)
    assert shop.ea.control("GET", "counters")["requests"].get("POST /v2/customers", 0) == made
    assert shop.document(OrderTransfer.objects.get(shop_order_id=order["id"]))["CustomerId"] == added["Id"]


@both_platforms
def test_the_echo_of_siltas_own_write_back_costs_no_eaccounting_request(shop):
    order = shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE and transfer.written_back
    shop.ea.control("DELETE", "counters")
    transfer_orders(
        shop.tenant, trigger="webhook", order_ids=[order["id"]]
    )  # order.updated: our meta and note
    assert shop.ea.control("GET", "counters")["requests"] == {}


@both_platforms
def test_the_same_customer_is_found_again_not_created_twice(shop):
    shop.order([("A-255", 1)])
    shop.order([("B-14", 1)], billing={**PRIVATE, "email": " maija@example.FI "})
    transfer_orders(shop.tenant)
    docs = shop.documents()
    assert len(docs) == 2 and docs[0]["CustomerId"] == docs[1]["CustomerId"]
    assert AccountingCustomer.objects.filter(tenant=shop.tenant, email="maija@example.fi").count() == 1


def test_a_company_with_a_business_id_is_matched_to_the_existing_customer(shop):
    existing = shop.client.post(
        "/customers",
        {
            "Name": "Kahvila Oy",
            "IsPrivatePerson": False,
            "IsActive": True,
            "CorporateIdentityNumber": "1234567-1",
            "InvoiceCity": "Oulu",
            "InvoicePostalCode": "90100",
            "TermsOfPaymentId": OrderSettings.objects.get(tenant=shop.tenant).terms_of_payment_id,
        },
    )
    billing = {**PRIVATE, "company": "Kahvila Oy", "email": "osto@kahvila.fi"}
    order = shop.order(
        [("A-255", 10)], billing=billing, meta_data=[{"key": "_billing_business_id", "value": "1234567-1"}]
    )
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    # The shop: 10 × 12.40 = 124.00 gross, VAT 124.00 × 25.5/125.5 = 25.20, net 98.80.
    # A company's rows are net: 98.80 / 10 = 9.88 a piece; eAccounting's VAT 98.80 × 0.255 = 25.19: a cent of
    # VAT away from the receipt. No VAT difference is booked by default: the order waits with both figures.
    assert transfer.status == OrderTransfer.Status.WAITING
    assert (
        "VAT at 25.5 %: the customer's receipt says 25.20 EUR, eAccounting would book 25.19"
        in transfer.reason
    )
    # The tenant allows a cent per rate: the next run books it, the total's cent on the 0 % rounding article
    # (123.99 → 124.00: 0.01 net, no VAT).
    OrderSettings.objects.filter(tenant=shop.tenant).update(vat_tolerance=D("0.01"))
    transfer_orders(shop.tenant)
    transfer.refresh_from_db()
    doc = shop.document(transfer)
    assert doc["CustomerId"] == existing["Id"]
    assert [(r["ArticleNumber"], D(str(r["UnitPrice"]))) for r in doc["Rows"]] == [
        ("A-255", D("9.88")),
        ("ROUND", D("0.01")),
    ]
    assert D(str(doc["Amount"])) == D("98.81") and D(str(doc["VatAmount"])) == D("25.19")
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason


def test_an_eu_company_with_a_vat_number_is_reverse_charged(shop):
    billing = {
        **PRIVATE,
        "company": "Kaffee GmbH",
        "country": "DE",
        "city": "Berlin",
        "postcode": "10115",
        "email": "einkauf@kaffee.de",
    }
    order = shop.order(
        [("A-255", 2)], billing=billing, meta_data=[{"key": "_billing_vat_number", "value": "DE123456789"}]
    )
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    # The shop charged Finnish VAT (24.80 gross) but eAccounting books 0 % for a reverse-charge sale:
    # 2 × 9.88 = 19.76 with no VAT. That is not the shop's figure: it waits before anything is booked.
    assert transfer.status == OrderTransfer.Status.WAITING
    assert "24.80" in transfer.reason and "19.76" in transfer.reason
    assert shop.documents() == []


def test_an_order_whose_method_has_no_template_waits_then_goes_through(shop):
    order = shop.order(
        [("A-255", 1)], payment_method="cod", fee_lines=[{"name": "Postiennakko", "total": "4.00"}]
    )
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING
    assert "template" in transfer.reason
    shop.template("payment", "cod", "FEE-255")
    transfer_orders(shop.tenant)
    transfer.refresh_from_db()
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    # 12.40 + fee 4.00 net + 25.5 % (1.02) = 5.02 gross → 17.42
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("17.42") == D(order["total"])


@both_platforms
def test_an_unknown_sku_waits_with_the_line_named(shop):
    shop.new_product("KIRJA-X", "Kirja", "20.00")
    order = shop.order([("KIRJA-X", 1)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING and "KIRJA-X" in transfer.reason
    assert shop.documents() == []


@both_platforms
def test_orders_from_before_activation_are_left_alone(shop):
    from django.utils import timezone

    shop.order([("A-255", 1)])
    OrderSettings.objects.filter(tenant=shop.tenant).update(
        transfer_from=timezone.now() + timezone.timedelta(hours=1)
    )
    transfer_orders(shop.tenant)
    assert not OrderTransfer.objects.exists() and shop.documents() == []


@both_platforms
def test_a_locked_period_waits_and_goes_through_once_opened(shop):
    OrderSettings.objects.filter(tenant=shop.tenant).update(document="invoice")
    shop.ea.control(
        "PATCH", f"companies/{shop.company}", {"settings": {"accounting_locked_to": "2099-12-31"}}
    )
    order = shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING and "lock" in transfer.reason.lower()
    assert shop.documents("invoices") == []
    shop.ea.control("PATCH", f"companies/{shop.company}", {"settings": {"accounting_locked_to": None}})
    transfer_orders(shop.tenant)
    transfer.refresh_from_db()
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    assert len(shop.documents("invoices")) == 1 and len(shop.documents("drafts")) == 0


@both_platforms
def test_a_transferred_sales_order_is_not_subtracted_twice_from_the_shops_stock(shop):
    from integration.sync.article_sync import sync_articles

    shop.ea.control("POST", f"companies/{shop.company}/stock", {"number": "A-255", "balance": "10"})
    sync_articles(shop.tenant, full=True)

    def stock():
        return shop.stock("A-255")

    assert stock() == 10
    shop.order([("A-255", 2)])  # the shop lowers its stock at checkout
    sync_articles(shop.tenant, full=True)
    assert stock() == 8  # eAccounting still says 10 available; the open order is subtracted
    transfer_orders(shop.tenant)
    available = shop.client.article_by_number("A-255").stock_available
    assert available == 8  # the sales order reserves the two
    sync_articles(shop.tenant, full=True)
    assert stock() == 8  # not 6: the transferred order is in eAccounting's figure already


def test_percentage_and_fixed_amount_coupons_become_row_discounts(shop):
    order = shop.order([("A-255", 2), ("B-14", 2)], coupon_lines=[{"code": "ale10"}, {"code": "kesa5"}])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    # The shop (WooCommerce's arithmetic: prices include VAT, so the coupons apply to the gross lines):
    # A 24.80 gross = 19.760956 net, B 11.40 gross = 10.00 net. 10 %: A 2.48, B 1.14; 5.00 fixed cart over
    # 4 units: 1.25 each, A 2.50, B 2.50. Gross off: A 4.98 (net 3.968048), B 3.64 (net 3.192982) →
    # A 15.79 net + VAT 4.03 = 19.82, B 6.81 net + VAT 0.95 = 7.76; total 27.58, VAT 4.98.
    # Discounts from the gross ratio (the rows are gross): A 1 − 19.82/24.80 = 0.20081 → 0.2008, B 1 − 7.76/11.40
    # = 0.31930 → 0.3193; the rows keep the full prices. eAccounting: A 24.80 × 0.7992 = 19.820 → 19.82 (net
    # 15.79, VAT 4.03); B 11.40 × 0.6807 = 7.760 → 7.76 (net 6.81, VAT 0.95). Total 27.58 as the shop's.
    assert D(order["total"]) == D("27.58")
    rows = {r["ArticleNumber"]: r for r in doc["Rows"]}
    assert D(str(rows["A-255"]["DiscountPercentage"])) == D("0.2008") and D(
        str(rows["A-255"]["UnitPrice"])
    ) == D("12.40")
    assert D(str(rows["B-14"]["DiscountPercentage"])) == D("0.3193")
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("27.58")
    assert D(str(doc["VatAmount"])) == D("4.98")


def test_a_shop_with_prices_without_vat_and_a_new_finnish_company(shop):
    shop.wc.control("PATCH", "/settings", {"prices_include_tax": False})
    try:
        billing = {**PRIVATE, "company": "Paahtimo Oy", "email": "tilaukset@paahtimo.fi"}
        order = shop.order(
            [("A-255", 3)], billing=billing, meta_data=[{"key": "_billing_business_id", "value": "7654321-2"}]
        )
    finally:
        shop.wc.control("PATCH", "/settings", {"prices_include_tax": True})
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    # The product still carries 12.40, which the shop now reads as a price without VAT:
    # 3 × 12.40 = 37.20 net, VAT 37.20 × 0.255 = 9.49, total 46.69. A company's rows are net.
    assert D(order["total"]) == D("46.69")
    assert [D(str(r["UnitPrice"])) for r in doc["Rows"]] == [D("12.40")]
    assert D(str(doc["Amount"])) == D("37.20") and D(str(doc["VatAmount"])) == D("9.49")
    customer = AccountingCustomer.objects.get(tenant=shop.tenant, customer_id=doc["CustomerId"])
    assert (customer.name, customer.business_id, customer.is_private) == ("Paahtimo Oy", "7654321-2", False)


@both_platforms
def test_a_guest_order_without_an_address_waits_or_goes_to_the_collective_customer(shop):
    guest = {"first_name": "Vieras", "last_name": "Ostaja", "email": "vieras@example.fi"}
    order = shop.order([("B-14", 1)], billing=guest)
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING
    assert "collective" in transfer.reason
    collective = shop.client.post(
        "/customers",
        {
            "Name": "Verkkokaupan asiakkaat",
            "IsPrivatePerson": True,
            "IsActive": True,
            "InvoiceCity": "Kuopio",
            "InvoicePostalCode": "70100",
            "TermsOfPaymentId": OrderSettings.objects.get(tenant=shop.tenant).terms_of_payment_id,
        },
    )
    # the owner presses *Read eAccounting's lists again*: the new customer reaches the pick list
    reference.refresh_customers(shop.tenant, shop.client, max_age=timedelta(0))
    OrderSettings.objects.filter(tenant=shop.tenant).update(
        collective_customer=AccountingCustomer.objects.get(customer_id=collective["Id"])
    )
    transfer_orders(shop.tenant)
    transfer.refresh_from_db()
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    assert shop.document(transfer)["CustomerId"] == collective["Id"]


@both_platforms
def test_an_order_of_300_lines_is_one_document_to_the_cent(shop):
    numbers = [f"P-{n:03d}" for n in range(300)]
    for n, number in enumerate(numbers):
        shop.article(number, f"Tuote {n}", f"{1 + n % 7}.{n % 100:02d}", "25.5" if n % 2 else "14")
    sync_articles(shop.tenant)
    order = shop.order([(number, 1 + n % 3) for n, number in enumerate(numbers)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    assert len(doc["Rows"]) == 300
    # Each line by hand from the articles' gross prices, as both systems round each line to the cent.
    prices = {a.number: a.gross_price for a in shop.client.articles() if a.number in numbers}
    gross = sum((1 + n % 3) * prices[number] for n, number in enumerate(numbers))
    assert D(order["total"]) == gross
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == gross


@both_platforms
def test_when_eaccounting_shows_private_prices_without_vat_the_order_is_sent_again_on_that_basis(shop):
    shop.ea.control("PATCH", f"companies/{shop.company}", {"settings": {"private_prices_include_vat": False}})
    order = shop.order([("A-255", 2)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = shop.document(transfer)
    assert doc["IncludesVat"] is False
    assert [D(str(r["UnitPrice"])) for r in doc["Rows"]] == [D("9.88")]  # 24.80 gross = 19.76 net, 9.88 each
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("24.80")
    assert len(shop.documents()) == 1  # replaced, not created twice


@both_platforms
def test_eaccounting_booking_other_totals_than_planned_holds_the_order_with_both_figures(shop):
    article = shop.client.article_by_number("A-255")  # its coding changes in eAccounting; our copy is older
    shop.client.update_article(article, CodingId=shop.coding("14").id)
    order = shop.order([("A-255", 1)])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
    # Planned at 25.5 % like the shop: 12.40 (VAT 2.52). eAccounting books 14 %: 12.40 gross, VAT
    # 12.40 − 12.40/1.14 = 12.40 − 10.88 = 1.52. The total agrees, the VAT does not: held, not booked.
    assert transfer.status == OrderTransfer.Status.HELD
    assert transfer.document_vat == D("1.52") and transfer.shop_vat == D("2.52")
    assert "1.52" in transfer.reason and "2.52" in transfer.reason
    assert shop.document(transfer)["Status"] == 2  # a sales order: nothing is booked
    transfer_orders(shop.tenant)
    assert len(shop.documents()) == 1  # held is not retried: a person decides


@both_platforms
def test_the_order_webhook_and_the_poll_make_one_document(shop):
    from django_q.models import OrmQ

    from integration import tasks

    OrmQ.objects.all().delete()
    order = shop.order([("B-14", 2)])
    shop.settle()  # the shop has told the portal (the live server) about the order
    queued = [
        q.task
        for q in OrmQ.objects.all()
        if q.task["func"] == tasks.handle_webhook.path and q.task["args"][1].startswith("order.")
    ]
    assert [task["args"][1:] for task in queued] == [(shop.new_order_topic, str(order["id"]))]
    transfer_orders(shop.tenant)  # the poll gets there first ...
    tasks.handle_webhook(*queued[0]["args"])  # ... then the worker runs the webhook's task
    assert [d["YourReference"] for d in shop.documents()] == [order["number"]]


def test_two_zones_flat_rates_with_templates_are_told_apart_by_the_lines_title(shop):
    shop.article("SHIP-NORDIC", "Rahti Pohjoismaat", "0", "25.5", shown=False, kind="Service")
    sync_articles(shop.tenant)
    shop.template("shipping", "flat_rate:4", "SHIP-NORDIC")
    home = shop.order([("A-255", 1)], shipping_lines=[{"method_id": "flat_rate", "instance_id": 1}])
    nordic = shop.order([("A-255", 1)], shipping_lines=[{"method_id": "flat_rate", "instance_id": 4}])
    transfer_orders(shop.tenant)
    rows = {}
    for order in (home, nordic):
        transfer = OrderTransfer.objects.get(shop_order_id=order["id"])
        assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
        rows[order["id"]] = [r["ArticleNumber"] for r in shop.document(transfer)["Rows"]]
    assert rows[home["id"]] == ["A-255", "SHIP-255"]
    assert rows[nordic["id"]] == ["A-255", "SHIP-NORDIC"]


@both_platforms
def test_the_delivery_methods_code_and_the_payment_methods_terms_go_on_the_document(shop):
    from integration.models import ShopMethod

    terms = OrderSettings.objects.get(tenant=shop.tenant).terms_of_payment_id
    ShopMethod.objects.filter(tenant=shop.tenant, key=shop.shipping_key).update(delivery_method_code="POSTI")
    ShopMethod.objects.filter(tenant=shop.tenant, key=shop.payment_key).update(terms_of_payment_id=terms)
    order = shop.order([("A-255", 1)], shipping=True)
    transfer_orders(shop.tenant)
    doc = shop.document(OrderTransfer.objects.get(shop_order_id=order["id"]))
    assert (doc["DeliveryMethodCode"], doc["TermsOfPaymentId"]) == ("POSTI", terms)

"""#19, acceptance 2: for each reason an order can wait, the order's own page gives advice that works.

Each case sets the condition up in both sandboxes, runs the transfer, opens the order's page as the owner,
follows the page's own fix (the link or button it shows for that reason) doing what a person would do there,
presses *Retry* on the page, runs the queued work and finds the order in eAccounting."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration import webshops
from integration.models import (
    AccountingArticle,
    AccountingCustomer,
    AuditEntry,
    Membership,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    ShopMethod,
)
from integration.orders import reference
from integration.orders.outcomes import WaitReason
from integration.orders.transfer import transfer_orders
from integration.sync.article_sync import sync_articles
from tests.fixtures.admin_forms import form_data, forms, run_queued

from .conftest import PRIVATE

D = Decimal
W = WaitReason


@dataclass(frozen=True)
class Case:
    make: Callable  # (shop) -> the shop order (dict)
    follow: Callable  # (shop, client, fix, order) -> None: what a person does with the fix
    # what the page offers: "link", "button" (a POST on the page), "none" (words only) or "by_hand" (no fix in
    # Silta by design: the person enters it in eAccounting and marks it so; the wait ends without a document)
    fix: str = "link"
    refunded: str = ""  # a refund's case: the amount the credit invoice credits


def _post_admin_form(client, url, form_id, **changes):
    page = client.get(url)
    assert page.status_code == 200, url
    data = {**form_data(page.content.decode(), form_id), **changes}
    answer = client.post(url, data)
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.content.decode(), re.S)
    assert answer.status_code == 302, errors  # saved: the admin redirects


def _article_pk(shop, number):
    return str(AccountingArticle.objects.get(tenant=shop.tenant, number=number).pk)


# --- the cases ------------------------------------------------------------------------------------------
def _fee_order(shop):
    return shop.order(
        [("A-255", 1)], payment_method="cod", fee_lines=[{"name": "Postiennakko", "total": "4.00"}]
    )


def _choose_fee_template(shop, client, fix, order):
    method = ShopMethod.objects.get(tenant=shop.tenant, kind="payment", key="cod")
    assert fix == reverse("admin:integration_shopmethod_change", args=[method.pk])
    _post_admin_form(client, fix, "shopmethod_form", **{"articles-0-article": _article_pk(shop, "FEE-255")})


def _unknown_sku_order(shop):
    shop.wc.post("/products", shop.key, json={"name": "Kirja", "sku": "KIRJA-X", "regular_price": "20.00"})
    return shop.order([("KIRJA-X", 1)])


def _make_the_article(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and "action=edit" in fix  # the product in the shop, to check its SKU
    shop.article("KIRJA-X", "Kirja", "20.00", "25.5")  # the advice: make the article in eAccounting


def _no_sku_order(shop):
    shop.article("C-255", "Muki", "12.40", "25.5", shown=False)
    assert sync_articles(shop.tenant).status == "succeeded"  # the article is in Silta's copy
    product = shop.wc.post("/products", shop.key, json={"name": "Muki", "regular_price": "12.40"}).json()
    return shop.wc.control(
        "POST", "/orders", {**_body(shop), "line_items": [{"product_id": product["id"], "quantity": 1}]}
    )


def _give_the_sku(shop, client, fix, order):
    product = order["line_items"][0]["product_id"]
    assert fix.startswith(shop.wc.url) and f"post={product}" in fix
    shop.wc.put(f"/products/{product}", shop.key, json={"sku": "C-255"}).raise_for_status()


def _body(shop):
    return {"billing": PRIVATE, "payment_method": "bacs", "status": "processing"}


def _odd_units_order(shop):
    return shop.order(
        [("A-255", 1)],
        line_items=[{"product_id": shop.product_id("A-255"), "quantity": 300, "price": "0.333333"}],
    )


def _press_the_button(shop, client, fix, order):
    assert client.post(fix).status_code == 302


def _long_address_order(shop):
    return shop.order([("A-255", 1)], billing={**PRIVATE, "address_1": "Kauppakatu " + "1" * 60})


def _shorten_in_the_shop(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix
    short = {**PRIVATE, "address_1": "Kauppakatu 1"}
    answer = shop.wc.put(f"/orders/{order['id']}", shop.key, json={"billing": short, "shipping": short})
    answer.raise_for_status()


def _guest_order(shop):
    guest = {
        "first_name": "Vieras",
        "last_name": "Ostaja",
        "email": "",
        "city": "Kuopio",
        "postcode": "70100",
    }
    return shop.order([("B-14", 1)], billing=guest)


def _choose_collective_customer(shop, client, fix, order):
    settings = OrderSettings.objects.get(tenant=shop.tenant)
    assert fix == reverse("admin:integration_ordersettings_change", args=[settings.pk])
    made = shop.client.post(
        "/customers",
        {
            "Name": "Verkkokaupan asiakkaat",
            "IsPrivatePerson": True,
            "IsActive": True,
            "InvoiceCity": "Kuopio",
            "InvoicePostalCode": "70100",
            "TermsOfPaymentId": settings.terms_of_payment_id,
        },
    )
    # the page's own *Read eAccounting's lists again*: the new customer reaches the pick list
    refresh = reverse("eaccounting_lists_refresh", args=[shop.tenant.slug])
    assert refresh in client.get(fix).content.decode()
    assert client.post(refresh, {"next": fix}).status_code == 302
    customer = AccountingCustomer.objects.get(tenant=shop.tenant, customer_id=made["Id"])
    _post_admin_form(client, fix, "ordersettings_form", collective_customer=str(customer.pk))


def _locked_period_order(shop):
    OrderSettings.objects.filter(tenant=shop.tenant).update(document="invoice")  # a sales order has no period
    shop.ea.control(
        "PATCH", f"companies/{shop.company}", {"settings": {"accounting_locked_to": "2099-12-31"}}
    )
    return shop.order([("A-255", 1)])


def _open_the_period(shop, client, fix, order):
    assert fix is None  # the reason says what to do in eAccounting
    shop.ea.control("PATCH", f"companies/{shop.company}", {"settings": {"accounting_locked_to": None}})


def _company_order(shop, business_id="7654321-2", company="Paahtimo Oy"):
    billing = {**PRIVATE, "company": company, "email": "tilaukset@paahtimo.example"}
    return shop.order(
        [("A-255", 1)], billing=billing, meta_data=[{"key": "_billing_business_id", "value": business_id}]
    )


def _correct_in_the_shop(**changes):
    def follow(shop, client, fix, order):
        assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix  # the order in the shop
        shop.wc.put(f"/orders/{order['id']}", shop.key, json=changes).raise_for_status()

    return follow


def _receipt_vat_by_a_plugin(shop):
    """A plugin wrote the receipt's VAT total itself: 2 cents off its own tax line (every rate agrees)."""
    order = shop.order([("A-255", 1)])  # 12.40 gross at 25.5 %: VAT 2.52
    return shop.wc.control("PATCH", f"/orders/{order['id']}", {"plugin_total_tax": "2.54"})


def _recalculate_in_the_shop(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix  # the order in the shop
    shop.wc.control("PATCH", f"/orders/{order['id']}", {"recalculate": True})  # wp-admin's Recalculate


def _guest(**billing):
    def make(shop):
        return shop.order([("B-14", 1)], billing={**PRIVATE, **billing})

    return make


def _taxed_otherwise_order(shop):
    shop.article("E-14", "Teepussit", "5.70", "14", shown=False)
    assert sync_articles(shop.tenant).status == "succeeded"
    shop.wc.post("/products", shop.key, json={"name": "Teepussit", "sku": "E-14", "regular_price": "5.70"})
    return shop.order([("E-14", 1)])  # the shop's standard rate, 25.5 %


def _correct_the_article(shop, client, fix, order):
    article = AccountingArticle.objects.get(tenant=shop.tenant, number="E-14")
    assert fix == reverse("admin:integration_accountingarticle_change", args=[article.pk])
    found = shop.client.article_by_number("E-14")
    shop.client.put(f"/articles/{found.id}", {**found.raw, "CodingId": shop.coding("25.5").id})


def _new_tax_rate_order(shop):
    shop.article("F-10", "Kirja", "11.00", "10", shown=False)
    assert sync_articles(shop.tenant).status == "succeeded"
    reference.tax_rates(
        shop.tenant, webshops.for_connection(shop.tenant.webshop_connection)
    )  # Silta read them
    shop.wc.post("/taxes/classes", shop.key, json={"name": "Kirjat"}).raise_for_status()
    shop.wc.post(
        "/taxes", shop.key, json={"country": "FI", "rate": "10.0000", "name": "ALV 10", "class": "kirjat"}
    )
    product = {"name": "Kirja", "sku": "F-10", "regular_price": "10.00", "tax_class": "kirjat"}
    shop.wc.post("/products", shop.key, json=product).raise_for_status()
    return shop.order([("F-10", 1)])  # a rate the shop got after Silta last read its rates


def _check_the_tax_rates(shop, client, fix, order):
    assert fix == f"{shop.wc.url}/wp-admin/admin.php?page=wc-settings&tab=tax"  # the rate is right there


def _a_cent_off_order(shop):
    OrderSettings.objects.filter(tenant=shop.tenant).update(rounding_article=None)
    line = {
        "product_id": shop.product_id("A-255"),
        "quantity": 3,
        "price": "0.333333",
    }  # 1.00 for 3: 3 × 0.33
    return shop.order([("A-255", 1)], line_items=[line])


def _choose_rounding_article(shop, client, fix, order):
    settings = OrderSettings.objects.get(tenant=shop.tenant)
    assert fix == reverse("admin:integration_ordersettings_change", args=[settings.pk])
    _post_admin_form(client, fix, "ordersettings_form", rounding_article=_article_pk(shop, "ROUND"))


def _a_cent_off_with_a_taxed_rounding_article(shop):
    order = _a_cent_off_order(shop)
    taxed = AccountingArticle.objects.get(tenant=shop.tenant, number="FEE-255")
    OrderSettings.objects.filter(tenant=shop.tenant).update(rounding_article=taxed)
    return order


def _foreign_currency_order(shop):
    return shop.order([("A-255", 1)], currency="SEK")


def _enter_by_hand(shop, client, fix, order):
    assert fix.endswith("/booked-by-hand/")  # the reason says: enter it in eAccounting by hand; then this
    assert client.post(fix).status_code == 302


def _vat_number_order(shop):
    billing = {**PRIVATE, "company": "Paahtimo Oy", "email": "tilaukset@paahtimo.example"}
    meta = [{"key": "_billing_vat_number", "value": "FI76543213"}]  # a typo: the check digit is 2
    return shop.order([("A-255", 1)], billing=billing, meta_data=meta)


def _gift_card_order(shop, article=None):
    # A gift card plugin writes the card as an untaxed negative fee, taxed as it stands (not apportioned).
    shop.wc.control("PATCH", "/settings", {"negative_fee_tax": "own_class"})
    shop.article("GIFT", "Lahjakortit", "0", "0", shown=False, kind="Service")
    assert sync_articles(shop.tenant).status == "succeeded"
    OrderSettings.objects.filter(tenant=shop.tenant).update(
        gift_card_article=article and AccountingArticle.objects.get(tenant=shop.tenant, number=article)
    )
    card = {"name": "Lahjakortti X-1", "total": "-5.00", "tax_status": "none"}
    return shop.order([("A-255", 2)], fee_lines=[card])


def _choose_gift_card_article(shop, client, fix, order):
    settings = OrderSettings.objects.get(tenant=shop.tenant)
    assert fix == reverse("admin:integration_ordersettings_change", args=[settings.pk])
    _post_admin_form(client, fix, "ordersettings_form", gift_card_article=_article_pk(shop, "GIFT"))


def _discount_at_another_rate_order(shop):
    shop.wc.control("PATCH", "/settings", {"negative_fee_tax": "own_class"})  # taxed as the plugin wrote it
    discount = {
        "name": "Kanta-asiakasetu",
        "total": "-2.00",
        "tax_class": "reduced-rate",
    }  # 14 %, goods 25.5 %
    return shop.order([("A-255", 1)], fee_lines=[discount])


def _give_the_fee_the_goods_class(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix
    fee = {"name": "Kanta-asiakasetu", "total": "-2.00", "tax_class": ""}  # the goods' standard rate
    remove = {"id": order["fee_lines"][0]["id"], "name": None}
    shop.wc.put(f"/orders/{order['id']}", shop.key, json={"fee_lines": [remove, fee]}).raise_for_status()


def _rounded_at_subtotal_order(shop):
    shop.wc.control("PATCH", "/settings", {"tax_round_at_subtotal": True})
    line = {"product_id": shop.product_id("A-255"), "quantity": 1, "price": "0.12"}
    return shop.order([("A-255", 1)], line_items=[line] * 5)  # VAT 5 × 0.0244 = 0.12, by row 5 × 0.02


def _settings_change(**changes):
    """Change the order settings on their page; ``<field>_value="NUMBER"`` picks the article of that number."""

    def follow(shop, client, fix, order):
        settings = OrderSettings.objects.get(tenant=shop.tenant)
        assert fix == reverse("admin:integration_ordersettings_change", args=[settings.pk])
        picked = {
            name.removesuffix("_value"): _article_pk(shop, value)
            for name, value in changes.items()
            if name.endswith("_value")
        }
        plain = {name: value for name, value in changes.items() if not name.endswith("_value")}
        _post_admin_form(client, fix, "ordersettings_form", **plain, **picked)

    return follow


def _six_cents_off_order(shop):
    line = {"product_id": shop.product_id("A-255"), "quantity": 3, "price": "0.333333"}  # 1.00 for 3
    return shop.order([("A-255", 1)], line_items=[line] * 6)  # 6 × (1.00 − 3 × 0.33): 0.06 over the limit


# --- refunds: the order is in eAccounting and invoiced; the shop's refund waits ------------------------------
def _invoiced(shop, lines, **extra):
    order = shop.order(lines, **extra)
    transfer_orders(shop.tenant)
    shop.wc.put(f"/orders/{order['id']}", shop.key, json={"status": "completed"}).raise_for_status()
    transfer_orders(shop.tenant)  # invoiced
    assert OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"]).invoice_id
    return order


def _refund(shop, order, amount, lines=(), rate_id=1):
    body = {
        "amount": str(amount),
        "api_refund": False,
        "line_items": [
            {
                "id": line_id,
                "quantity": q,
                "refund_total": str(net),
                "refund_tax": [{"id": rate_id, "refund_total": str(tax)}],
            }
            for line_id, q, net, tax in lines
        ],
    }
    response = shop.wc.post(f"/orders/{order['id']}/refunds", shop.key, json=body)
    assert response.status_code == 201, response.text


def _goodwill_refund_order(shop):
    shop.article("REFUND", "Hyvitys", "0", "25.5", shown=False, kind="Service")
    assert sync_articles(shop.tenant).status == "succeeded"
    order = _invoiced(shop, [("A-255", 2)])
    _refund(shop, order, "5.00")  # an amount only: no line of the sale it pays back, no template at 25.5 %
    return order


def _company_goodwill_refund(rounding=None):
    """A company's order (its document is net): 5.00 back as an amount only, at 25.5 %, nets 3.98 + VAT 1.01 =
    4.99 in eAccounting; the cent is a rounding row's."""

    def make(shop):
        shop.article("REFUND", "Hyvitys", "0", "25.5", shown=False, kind="Service")
        assert sync_articles(shop.tenant).status == "succeeded"
        OrderSettings.objects.filter(tenant=shop.tenant).update(
            refund_article=AccountingArticle.objects.get(tenant=shop.tenant, number="REFUND"),
            rounding_article=rounding and AccountingArticle.objects.get(tenant=shop.tenant, number=rounding),
        )
        billing = {**PRIVATE, "company": "Paahtimo Oy", "email": "tilaukset@paahtimo.example"}
        meta = [{"key": "_billing_business_id", "value": "7654321-2"}]
        order = _invoiced(shop, [("A-255", 2)], billing=billing, meta_data=meta)
        _refund(shop, order, "5.00")
        return order

    return make


def _partly_refunded_line_order(shop):
    line = {"product_id": shop.product_id("A-255"), "quantity": 300, "price": "0.34"}
    order = _invoiced(shop, [("A-255", 1)], line_items=[line])  # 102.00
    # 51.25 back for the 300 units: no unit price (300 × 0.17 = 51.00) nor 4-decimal discount makes it
    _refund(shop, order, "51.25", [(order["line_items"][0]["id"], 300, "40.84", "10.41")])
    return order


def _refund_vat_off_order(shop):
    order = _invoiced(shop, [("A-255", 1)])
    # 12.40 back of which the shop says 2.00 VAT (the sale's was 2.52): eAccounting would credit 2.52
    _refund(shop, order, "12.40", [(order["line_items"][0]["id"], 1, "10.40", "2.00")])
    return order


def _paid_without_bank_account_order(shop):
    ShopMethod.objects.filter(tenant=shop.tenant, key="bacs").update(prepaid=True, bank_account_id="")
    return shop.order([("B-14", 2)], set_paid=True, status="completed")  # invoiced; its payment waits


def _choose_the_bank_account(shop, client, fix, order):
    method = ShopMethod.objects.get(tenant=shop.tenant, kind="payment", key="bacs")
    assert fix == reverse("admin:integration_shopmethod_change", args=[method.pk])
    page = client.get(fix).content.decode()
    again = next(
        f for f in forms(page) if "eaccounting-lists" in f["action"]
    )  # the page's "read the lists again"
    assert client.post(again["action"], {**again["data"], "next": fix}).status_code == 302
    page = client.get(fix).content.decode()
    select = re.search(r'<select name="bank_account_id"[^>]*>(.*?)</select>', page, re.S)
    account = next(v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v)  # picked by name
    _post_admin_form(client, fix, "shopmethod_form", bank_account_id=account)


def _refunded_before_invoicing_order(shop):
    shop.article("REFUND", "Hyvitys", "0", "25.5", shown=False, kind="Service")
    assert sync_articles(shop.tenant).status == "succeeded"
    OrderSettings.objects.filter(tenant=shop.tenant).update(
        refund_article=AccountingArticle.objects.get(tenant=shop.tenant, number="REFUND")
    )
    order = shop.order([("A-255", 2)])
    transfer_orders(shop.tenant)  # a sales order, not invoiced until the order is completed
    _refund(shop, order, "5.00")
    return order


def _complete_in_the_shop(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix
    shop.wc.put(f"/orders/{order['id']}", shop.key, json={"status": "completed"}).raise_for_status()


def _refund_of_minus_one_unit_order(shop):
    order = _invoiced(shop, [("A-255", 1)])
    # an integration's refund of "−1" units (WooCommerce stores it as +1): no quantity to credit
    _refund(shop, order, "12.40", [(order["line_items"][0]["id"], -1, "9.88", "2.52")])
    return order


def _refund_of_free_shipping_order(shop):
    free = {"method_id": "flat_rate", "instance_id": 1, "total": "0.00"}
    order = _invoiced(shop, [("A-255", 1)], shipping_lines=[free])
    # 2.00 paid back "on the shipping" the sale never charged (nor booked): no row of the sale to credit
    _refund(shop, order, "2.00", [(order["shipping_lines"][0]["id"], 0, "1.59", "0.41")])
    return order


def _refunded_line_removed_order(shop):
    order = _invoiced(shop, [("A-255", 1), ("B-14", 1)])
    a, b = order["line_items"]
    _refund(shop, order, "12.40", [(a["id"], 1, "9.88", "2.52")])
    # then the line goes from the order over the REST API (quantity 0): the refund names a line it no longer has
    changed = shop.wc.put(
        f"/orders/{order['id']}", shop.key, json={"line_items": [{"id": a["id"], "quantity": 0}]}
    )
    assert [i["id"] for i in changed.json()["line_items"]] == [b["id"]]
    return order  # as Silta transferred it


def _refunded_at_the_other_rate_order(shop):
    order = _invoiced(shop, [("A-255", 1), ("B-14", 1)])
    # the cup (25.5 %) refunded with its VAT in the order's 14 % column: a slip in the shop's refund form
    _refund(shop, order, "11.28", [(order["line_items"][0]["id"], 1, "9.88", "1.40")], rate_id=2)
    return order


def _minus_one_line_order(shop):
    # an integration posts a return as a line of −1 (WooCommerce keeps it): no quantity eAccounting can book
    back = {"product_id": shop.product_id("B-14"), "quantity": -1}
    return shop.order(
        [("A-255", 2)], line_items=[{"product_id": shop.product_id("A-255"), "quantity": 2}, back]
    )


def _remove_the_line_in_the_shop(shop, client, fix, order):
    assert fix.startswith(shop.wc.url) and f"post={order['id']}" in fix
    back = {"id": order["line_items"][1]["id"], "quantity": 0}  # the REST API's way to remove a line
    shop.wc.put(f"/orders/{order['id']}", shop.key, json={"line_items": [back]}).raise_for_status()


CASES: dict[WaitReason, Case] = {
    W.BAD_QUANTITY: Case(_minus_one_line_order, _remove_the_line_in_the_shop),
    W.REFUND_ARTICLE_VAT_DIFFERS: Case(_refunded_at_the_other_rate_order, _enter_by_hand, fix="by_hand"),
    W.REFUND_LINE_NOT_IN_ORDER: Case(_refunded_line_removed_order, _enter_by_hand, fix="by_hand"),
    W.REFUND_BAD_QUANTITY: Case(_refund_of_minus_one_unit_order, _enter_by_hand, fix="by_hand"),
    W.REFUND_CHARGE_NOT_BOOKED: Case(_refund_of_free_shipping_order, _enter_by_hand, fix="by_hand"),
    W.PAYMENT_NO_BANK_ACCOUNT: Case(_paid_without_bank_account_order, _choose_the_bank_account),
    W.REFUND_ORDER_NOT_INVOICED: Case(
        _refunded_before_invoicing_order, _complete_in_the_shop, refunded="5.00"
    ),
    W.REFUND_ARTICLE_MISSING: Case(
        _goodwill_refund_order, _settings_change(refund_article_value="REFUND"), refunded="5.00"
    ),
    W.REFUND_NO_ROUNDING_ARTICLE: Case(
        _company_goodwill_refund(), _settings_change(rounding_article_value="ROUND"), refunded="5.00"
    ),
    W.REFUND_ROUNDING_HAS_VAT: Case(
        _company_goodwill_refund("FEE-255"), _settings_change(rounding_article_value="ROUND"), refunded="5.00"
    ),
    W.REFUND_TOTAL_DIFFERS: Case(_partly_refunded_line_order, _enter_by_hand, fix="by_hand"),
    W.REFUND_VAT_DIFFERS: Case(_refund_vat_off_order, _enter_by_hand, fix="by_hand"),
    W.VAT_DIFFERS: Case(_rounded_at_subtotal_order, _settings_change(vat_tolerance="0.02")),
    W.TOTAL_DIFFERS: Case(_six_cents_off_order, _settings_change(rounding_limit="0.10")),
    W.LINES_NOT_IN_CENTS: Case(_six_cents_off_order, _press_the_button, fix="button"),
    W.FOREIGN_CURRENCY: Case(_foreign_currency_order, _enter_by_hand, fix="by_hand"),
    W.INVALID_VAT_NUMBER: Case(
        _vat_number_order,
        _correct_in_the_shop(meta_data=[{"key": "_billing_vat_number", "value": "FI76543212"}]),
    ),
    W.GIFT_CARD_ARTICLE_MISSING: Case(_gift_card_order, _choose_gift_card_article),
    W.GIFT_CARD_ARTICLE_HAS_VAT: Case(
        lambda shop: _gift_card_order(shop, "FEE-255"), _choose_gift_card_article
    ),
    W.DISCOUNT_AT_FOREIGN_RATE: Case(_discount_at_another_rate_order, _give_the_fee_the_goods_class),
    W.ROUNDING_ARTICLE_HAS_VAT: Case(_a_cent_off_with_a_taxed_rounding_article, _choose_rounding_article),
    W.NO_ROUNDING_ARTICLE: Case(_a_cent_off_order, _choose_rounding_article),
    W.UNKNOWN_TAX_RATE: Case(_new_tax_rate_order, _check_the_tax_rates),
    W.VAT_TOTAL_DIFFERS: Case(_receipt_vat_by_a_plugin, _recalculate_in_the_shop),
    W.INVALID_BUSINESS_ID: Case(
        lambda shop: _company_order(shop, business_id="7654321-3"),
        _correct_in_the_shop(meta_data=[{"key": "_billing_business_id", "value": "7654321-2"}]),
    ),
    W.NO_COMPANY_NAME: Case(
        lambda shop: _company_order(shop, company=""),
        _correct_in_the_shop(billing={"company": "Paahtimo Oy"}),
    ),
    W.NO_POSTCODE_OR_CITY: Case(_guest(postcode="", city=""), lambda *a: _choose_collective_customer(*a)),
    W.NO_USABLE_EMAIL: Case(_guest(email="ei-osoite"), lambda *a: _choose_collective_customer(*a)),
    W.NO_CUSTOMER_NAME: Case(_guest(first_name="", last_name=""), lambda *a: _choose_collective_customer(*a)),
    W.ARTICLE_VAT_DIFFERS: Case(_taxed_otherwise_order, _correct_the_article),
    W.NO_TEMPLATE_ARTICLE: Case(_fee_order, _choose_fee_template),
    W.NO_ARTICLE_FOR_SKU: Case(_unknown_sku_order, _make_the_article),
    W.NO_SKU: Case(_no_sku_order, _give_the_sku),
    W.LINE_NOT_IN_CENTS: Case(_odd_units_order, _press_the_button, fix="button"),
    W.FIELD_TOO_LONG: Case(_long_address_order, _shorten_in_the_shop),
    W.NO_EMAIL: Case(_guest_order, _choose_collective_customer),
    W.EACCOUNTING_REFUSED: Case(_locked_period_order, _open_the_period, fix="none"),
}
# Reasons without a case yet: named here so that a new reason without a case fails below.
NO_CASE_YET = set(WaitReason) - set(CASES)
STEP_OF = {W.PAYMENT_NO_BANK_ACCOUNT: OrderStep.Kind.PAYMENT}  # besides refunds: reasons a step gives


def test_every_wait_reason_has_a_case_or_is_named_as_missing_one():
    assert set(CASES) | NO_CASE_YET == set(WaitReason)
    assert not set(CASES) & NO_CASE_YET


def _fix(page: str, code: str, order_id: int):
    """The fix the page offers for ``code``: a link's address, a button's form action, or None."""
    link = re.search(rf'href="([^"]+)" data-fix="{code}"', page)
    if link:
        return html.unescape(link.group(1))
    button = re.search(rf'<form[^>]* action="([^"]+)">(?:(?!</form>).)*data-fix="{code}"', page, re.S)
    return html.unescape(button.group(1)) if button else None


@pytest.mark.slow
@pytest.mark.parametrize(
    "code",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason="no case yet", strict=True)) if c in NO_CASE_YET else c
        for c in WaitReason
    ],
)
def test_following_the_pages_advice_and_retry_transfers_the_order(shop, client, django_user_model, code):
    if code in NO_CASE_YET:
        pytest.fail(f"{code}: no case")
    case = CASES[code]
    owner = django_user_model.objects.create_user("owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=shop.tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)

    order = case.make(shop)
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    # a refund's reason is its step's (the order went to eAccounting before): the step is what must complete
    step = STEP_OF.get(code, OrderStep.Kind.REFUND if code.startswith("refund_") else None)
    refund = step == OrderStep.Kind.REFUND
    row = transfer.steps.get(kind=step) if step else transfer
    assert row.status == OrderTransfer.Status.WAITING, row.reason
    assert code in [r["code"] for r in row.reason_codes], (row.reason_codes, row.reason)
    assert transfer.shop_total == D(order["total"])  # the shop's figures, also while it waits

    url = reverse("admin:integration_ordertransfer_change", args=[transfer.pk])
    page = client.get(url).content.decode()
    assert f'data-code="{code}"' in page
    fix = _fix(page, code, order["id"])
    assert (fix is None) == (case.fix == "none")
    shop.wc.wait_webhooks()  # the shop's deliveries of the order as it was come in before the fix
    OrmQ.objects.all().delete()  # work queued while setting up is not this test's
    case.follow(shop, client, fix, order)
    row.refresh_from_db()
    if case.fix == "by_hand":  # the wait ends without a document, audited
        assert (row.status, row.reason_codes, row.document_id) == ("skipped", [], "")
        assert AuditEntry.objects.filter(tenant=shop.tenant, action=AuditEntry.Action.BOOKED_BY_HAND).exists()
        assert 'id="retry-form"' not in client.get(url).content.decode()
        return

    retry = next(f for f in forms(page) if f["id"] == "retry-form")
    assert client.post(retry["action"], retry["data"]).status_code == 302
    assert run_queued() >= 1
    row.refresh_from_db()
    assert row.status == OrderTransfer.Status.DONE, row.reason
    assert row.reason_codes == []
    if refund:  # the credit invoice is in eAccounting, for the shop's refund
        credit = next(i for i in shop.documents("invoices") if i["Id"] == row.document_id)
        assert credit["IsCreditInvoice"] and -D(str(credit["TotalAmount"])) - D(
            str(credit["TotalVatAmount"])
        ) == D(case.refunded)
        return
    if step:  # the payment is registered in eAccounting
        assert row.document_id == transfer.invoice_id and row.amount == transfer.shop_total
        return
    now = shop.wc.get(f"/orders/{order['id']}", shop.key).json()  # as the fix left it
    assert transfer.plan["complete"] and D(transfer.plan["total"]) == D(now["total"])  # what the page shows
    assert 'id="plan-rows"' in client.get(url).content.decode()
    assert shop.document(transfer)["Id"] == transfer.document_id

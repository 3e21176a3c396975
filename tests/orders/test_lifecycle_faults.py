"""Exactly once after the transfer too, for both platforms: 300 prepaid orders go create → complete
(Shopify: fulfil) → partial refund under injected 5xx, answers lost after commit, 429 (Shopify:
THROTTLED) bursts and a SIGKILL; each ends with one invoice, one payment and one credit invoice."""

import uuid
from collections import Counter

import pytest

from integration.models import OrderStep, OrderTransfer, ShopMethod
from integration.webshops import setup as webshop_setup
from tests.fixtures.faults import child_env, faults_off, faults_on, kill_when, run_until
from tests.fixtures.order_shops import both_platforms

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = 300


@pytest.mark.slow
@both_platforms
def test_create_complete_and_refund_300_orders_under_faults_each_step_once(shop, settings):
    webshop_setup.remove_webhooks(shop.tenant)
    ShopMethod.objects.filter(tenant=shop.tenant, key=shop.payment_key).update(
        prepaid=True, bank_account_id=str(uuid.uuid4())
    )
    orders = [shop.order([("A-255", 2), ("B-14", 1)], buyer=n % 30, paid=True) for n in range(ORDERS)]
    env, args = child_env(settings), ("sync", shop.tenant.slug, "--kind", "orders")
    faults_on(shop)
    run_until(args, env, lambda: OrderTransfer.objects.filter(status="done").count() == ORDERS)

    faults_off(shop)  # the shop owner's own work: complete every order, refund one cup of each
    shop.complete_all(orders)
    for o in orders:
        # one cup back: 12.40 gross = 9.88 net + 2.52 VAT
        shop.refund(o, "12.40", [(o["line_items"][0]["id"], 1, "9.88", "25.5", "2.52")])

    faults_on(shop, seed=11)
    kill_when(
        args, env, lambda: OrderStep.objects.filter(kind="refund", status="done").count() >= ORDERS // 3
    )
    run_until(
        args,
        env,
        lambda: OrderStep.objects.filter(status="done").count() == 3 * ORDERS,
        state=lambda: list(
            OrderStep.objects.exclude(status="done").values_list("kind", "status", "reason")[:5]
        ),
    )
    faults_off(shop)

    numbers = {o["number"] for o in orders}
    invoices = [i for i in shop.documents("invoices") if not i["IsCreditInvoice"]]
    credits = [i for i in shop.documents("invoices") if i["IsCreditInvoice"]]
    assert Counter(i["YourReference"] for i in invoices) == Counter(numbers)  # one invoice per order
    assert Counter(c["YourReference"].split(" refund ")[0] for c in credits) == Counter(
        numbers
    )  # one credit each
    assert all(i["RemainingAmount"] == 0 for i in invoices)  # every prepaid invoice paid ...
    paid = Counter(p["Reference"] for p in shop.documents("payments"))
    assert paid == Counter(numbers)  # ... exactly once
    assert shop.documents("orders") and all(o["Status"] == 4 for o in shop.documents("orders"))

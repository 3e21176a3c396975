"""Exactly once under faults, for both platforms: 1,000 WooCommerce orders or 300 Shopify orders, injected
5xx, answers lost after commit (Shopify: the orderUpdate write-back's), 429 bursts in eAccounting and
WooCommerce, THROTTLED bursts in Shopify, and the transferring process killed with SIGKILL twice. Every
order ends as exactly one document, written back onto the shop order."""

from collections import Counter

import pytest

from integration.models import OrderTransfer
from integration.webshops import setup as webshop_setup
from tests.fixtures.faults import child_env, faults_off, faults_on, kill_when, run_until
from tests.fixtures.order_shops import both_platforms

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = {"woocommerce": 1000, "shopify": 300}


def _our_documents(shop, numbers):
    return Counter(d["YourReference"] for d in shop.documents() if d["YourReference"] in numbers)


@pytest.mark.slow
@both_platforms
def test_orders_under_faults_and_two_kills_become_one_document_each(shop, settings):
    count = ORDERS[shop.platform]
    webshop_setup.remove_webhooks(
        shop.tenant
    )  # polled only here: a webhook per order would only slow the test
    orders = [shop.order([("A-255", 1 + n % 3), ("B-14", 1)], buyer=n % 40) for n in range(count)]
    numbers = {o["number"] for o in orders}
    faults_on(shop)
    env, args = child_env(settings), ("sync", shop.tenant.slug, "--kind", "orders")

    kill_when(args, env, lambda: len(_our_documents(shop, numbers)) >= count // 4)
    kill_when(args, env, lambda: len(_our_documents(shop, numbers)) >= count // 2)
    # each run finishes what the faults left: lost answers are looked up first
    run_until(
        args, env, lambda: OrderTransfer.objects.filter(status="done", written_back=True).count() == count
    )

    faults_off(shop)
    documents = _our_documents(shop, numbers)
    assert set(documents) == numbers  # none missing
    assert max(documents.values()) == 1  # none duplicated
    assert OrderTransfer.objects.filter(status=OrderTransfer.Status.DONE, written_back=True).count() == count
    by_id = {d["Id"]: d for d in shop.documents()}
    for transfer in OrderTransfer.objects.all()[:50]:  # written back: a sample of the orders
        assert by_id[shop.written_back(transfer.shop_order_id)]["YourReference"] == transfer.shop_order_number

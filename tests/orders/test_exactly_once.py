"""Exactly once under faults: 1,000 orders, injected 5xx, answers lost after commit, 429 bursts, and
the transferring process killed with SIGKILL twice. Every order ends as exactly one document."""

from collections import Counter

import pytest

from integration.models import OrderTransfer
from integration.webshops import setup as webshop_setup
from tests.fixtures.faults import child_env, faults_off, faults_on, kill_when, run_until

from .conftest import PRIVATE

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = 1000


def _our_documents(shop, numbers):
    return Counter(d["YourReference"] for d in shop.documents() if d["YourReference"] in numbers)


@pytest.mark.slow
def test_a_thousand_orders_under_faults_and_two_kills_become_a_thousand_documents(shop, settings):
    webshop_setup.remove_webhooks(
        shop.tenant
    )  # polled only here: a thousand webhooks would only slow the test
    customers = [
        {**PRIVATE, "email": f"asiakas{n}@example.fi", "last_name": f"Asiakas {n}"} for n in range(40)
    ]
    orders = [
        shop.order([("A-255", 1 + n % 3), ("B-14", 1)], billing=customers[n % len(customers)])
        for n in range(ORDERS)
    ]
    numbers = {o["number"] for o in orders}
    faults_on(shop)
    env, args = child_env(settings), ("sync", shop.tenant.slug, "--kind", "orders")

    kill_when(args, env, lambda: len(_our_documents(shop, numbers)) >= ORDERS // 4)
    kill_when(args, env, lambda: len(_our_documents(shop, numbers)) >= ORDERS // 2)
    # each run finishes what the faults left: lost answers are looked up first
    run_until(
        args, env, lambda: OrderTransfer.objects.filter(status="done", written_back=True).count() == ORDERS
    )

    faults_off(shop)
    documents = _our_documents(shop, numbers)
    assert set(documents) == numbers  # none missing
    assert max(documents.values()) == 1  # none duplicated
    assert OrderTransfer.objects.filter(status=OrderTransfer.Status.DONE, written_back=True).count() == ORDERS
    by_id = {d["Id"]: d for d in shop.documents()}
    for transfer in OrderTransfer.objects.all()[:50]:  # written back: a sample of the orders' meta
        meta = {
            m["key"]: m["value"]
            for m in shop.wc.get(f"/orders/{transfer.shop_order_id}", shop.key).json()["meta_data"]
        }
        assert by_id[meta["_silta_eaccounting_id"]]["YourReference"] == transfer.shop_order_number

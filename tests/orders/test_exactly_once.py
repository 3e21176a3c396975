"""Exactly once under faults: 1,000 orders, injected 5xx, answers lost after commit, 429 bursts, and
the transferring process killed with SIGKILL twice. Every order ends as exactly one document."""

import os
import signal
import time
from collections import Counter

import pytest

from integration import webshop_setup
from integration.models import OrderTransfer

from ..conftest import database_url, manage, spawn
from .conftest import PRIVATE

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = 1000
LEASE = 2  # seconds: how long a killed worker's claim blocks its order


def _env(ea, settings):
    return {
        **os.environ, "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "DJANGO_SETTINGS_MODULE": "tests.settings", "EACCOUNTING_API_URL": settings.EACCOUNTING_API_URL,
        "EACCOUNTING_IDENTITY_URL": settings.EACCOUNTING_IDENTITY_URL, "EACCOUNTING_RATE_LIMIT": "100000",
        "SILTA_ORDER_LEASE_SECONDS": str(LEASE), "WEBSHOP_TIMEOUT": "5", "EACCOUNTING_TIMEOUT": "5",
    }


def _our_documents(shop, numbers):
    refs = Counter(d["YourReference"] for d in shop.documents() if d["YourReference"] in numbers)
    return refs


def _kill_when(args, env, shop, numbers, at_least):
    """Run the transfer (again, when a fault ended a run) until `at_least` documents exist, then SIGKILL it."""
    process = spawn(*args, env=env)
    try:
        deadline = time.monotonic() + 120
        while len(_our_documents(shop, numbers)) < at_least:
            assert time.monotonic() < deadline, "the transfer made no progress"
            if process.poll() is not None:  # a run may end early under faults; the next one goes on
                process = spawn(*args, env=env)
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def test_a_thousand_orders_under_faults_and_two_kills_become_a_thousand_documents(shop, settings):
    webshop_setup.remove_webhooks(shop.tenant)  # polled only here: a thousand webhooks would only slow the test
    shop.ea.control("PATCH", "settings", {"rate_limit": 100000, "rate_window": 1.0})  # a 429 says: 1 second
    customers = [{**PRIVATE, "email": f"asiakas{n}@example.fi", "last_name": f"Asiakas {n}"} for n in range(40)]
    orders = [shop.order([("A-255", 1 + n % 3), ("B-14", 1)], billing=customers[n % len(customers)])
              for n in range(ORDERS)]
    numbers = {o["number"] for o in orders}
    shop.ea.control("PATCH", "settings", {"error_rate": 0.1, "drop_after_commit_rate": 0.05, "fault_seed": 7,
                                          "force_429": 20})
    shop.wc.control("POST", "/faults", {"error_rate": 0.1, "drop_after_write_rate": 0.05, "seed": 7,
                                        "rate_limit_burst": 3})
    env = _env(shop.ea, settings)
    args = ("sync", shop.tenant.slug, "--kind", "orders")

    _kill_when(args, env, shop, numbers, ORDERS // 4)
    time.sleep(LEASE)
    _kill_when(args, env, shop, numbers, ORDERS // 2)
    time.sleep(LEASE)
    for _ in range(10):  # each run finishes what the faults left: lost answers are looked up first
        manage(*args, env=env)
        unfinished = OrderTransfer.objects.exclude(status=OrderTransfer.Status.DONE, written_back=True)
        if OrderTransfer.objects.count() == ORDERS and not unfinished.exists():
            break
        time.sleep(LEASE)

    shop.ea.control("PATCH", "settings", {"error_rate": 0, "drop_after_commit_rate": 0})
    documents = _our_documents(shop, numbers)
    assert set(documents) == numbers  # none missing
    assert max(documents.values()) == 1  # none duplicated
    assert OrderTransfer.objects.filter(status=OrderTransfer.Status.DONE, written_back=True).count() == ORDERS
    shop.wc.control("POST", "/faults", {"error_rate": 0, "drop_after_write_rate": 0, "rate_limit_burst": 0})
    by_id = {d["Id"]: d for d in shop.documents()}
    for transfer in OrderTransfer.objects.all()[:50]:  # written back: a sample of the orders' meta
        meta = {m["key"]: m["value"] for m in
                shop.wc.get(f"/orders/{transfer.shop_order_id}", shop.key).json()["meta_data"]}
        assert by_id[meta["_silta_eaccounting_id"]]["YourReference"] == transfer.shop_order_number

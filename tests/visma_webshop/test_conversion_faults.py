"""Exactly once under faults: webshop orders converted by `manage.py sync --kind webshop_orders` child
processes under injected 5xx, answers lost after the commit and 429 bursts, killed with SIGKILL twice.
In both worlds (converted orders leave the list, or stay listed and convertible again) each order ends
as exactly one invoice."""

from collections import Counter

import pytest

from integration.models import WebshopOrderConversion
from tests.fixtures.faults import child_env, kill_when, run_until

from .conftest import converting

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = 80


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["removed", "kept"])
def test_webshop_orders_under_faults_and_two_kills_become_one_invoice_each(shop, settings, mode):
    shop.ea.settings(webshop_converted_orders=mode)
    numbers = sorted(shop.articles())[:3]
    emails = [f"kauppa{n}@example.fi" for n in range(ORDERS)]
    for n, email in enumerate(emails):
        shop.webshop_order(
            [{"ArticleNumber": numbers[n % 3], "Quantity": 1 + n % 2}],
            Name=f"Asiakas {n}",
            EmailAddress=email,
        )
    converting(shop)
    shop.ea.settings(
        rate_limit=100000,
        rate_window=1.0,
        error_rate=0.1,
        drop_after_commit_rate=0.05,
        fault_seed=11,
        force_429=8,
    )

    def invoiced():
        return Counter(i.get("CustomerEmail") for i in shop.invoices())

    env, args = child_env(settings), ("sync", shop.tenant.slug, "--kind", "webshop_orders")
    kill_when(args, env, lambda: len(invoiced()) >= ORDERS // 4)
    kill_when(args, env, lambda: len(invoiced()) >= ORDERS // 2)
    done = WebshopOrderConversion.objects.filter(status=WebshopOrderConversion.Status.DONE)
    run_until(
        args,
        env,
        lambda: done.count() == ORDERS,
        state=lambda: Counter(WebshopOrderConversion.objects.values_list("status", flat=True)),
    )

    shop.ea.settings(error_rate=0, drop_after_commit_rate=0, force_429=0)
    counts = invoiced()
    assert set(counts) == set(emails)  # none missing
    assert max(counts.values()) == 1  # none converted twice
    assert set(done.values_list("outcome", flat=True)) == {WebshopOrderConversion.Outcome.CONVERTED}
    assert len(set(done.values_list("invoice_id", flat=True))) == ORDERS

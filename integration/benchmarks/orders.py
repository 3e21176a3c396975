"""Web orders: N orders transferred in one run; requests per order beside the reference reads, duplicates."""

import random
import time
from collections import Counter
from decimal import Decimal

import requests

from integration import webshops
from integration.webshops import setup as webshop_setup

from ..eaccounting.client import EAccountingClient
from ..models import AccountingArticle, MethodArticle, OrderSettings, OrderTransfer, ShopMethod, SyncRun
from ..sync.article_sync import sync_articles
from .harness import Harness

# Read once per run whatever the number of orders: company settings, changed customers, tax rates.
REFERENCE = {"GET /v2/companysettings", "GET /v2/customers", "GET /wp-json/wc/v3/taxes"}
CUSTOMERS = 300


def method_templates(tenant):
    """A service article for shipping and for the payment fee, set as the methods' templates."""
    client = EAccountingClient(tenant.eaccounting_connection)
    coding = next(
        c for c in client.codings() if c.type == "Service" and c.vat_rate_percent == Decimal("25.5")
    )
    unit = client.units()[0]
    for number in ("BENCH-SHIP", "BENCH-FEE"):
        client.post(
            "/articles",
            {
                "Number": number,
                "Name": number,
                "UnitId": unit.id,
                "CodingId": coding.id,
                "IsActive": True,
                "SendToWebshop": False,
            },
        )
    sync_articles(tenant)  # the copies of the new articles
    for kind, key, number in (("shipping", "flat_rate:1", "BENCH-SHIP"), ("payment", "bacs", "BENCH-FEE")):
        MethodArticle.objects.create(
            method=ShopMethod.objects.get(tenant=tenant, kind=kind, key=key),
            article=AccountingArticle.objects.get(tenant=tenant, number=number),
        )
    OrderSettings.objects.filter(tenant=tenant).update(transfer_from=None)


def _place_orders(h: Harness, tenant, count, seed=1):
    rng = random.Random(seed)
    products = [
        p.id
        for p in webshops.for_connection(tenant.webshop_connection).products()
        if p.sku and p.type == "simple"
    ]
    numbers = set()
    for _ in range(count):
        c = rng.randrange(CUSTOMERS)
        billing = {
            "first_name": "Asiakas",
            "last_name": str(c),
            "email": f"asiakas{c}@example.fi",
            "address_1": f"Kauppakatu {c}",
            "city": "Kuopio",
            "postcode": "70100",
            "country": "FI",
        }
        lines = [
            {"product_id": pid, "quantity": rng.randint(1, 3)}
            for pid in rng.sample(products, rng.randint(1, 3))
        ]
        order = requests.post(
            f"{h.shop}/_sandbox/orders",
            timeout=30,
            json={
                "line_items": lines,
                "billing": billing,
                "shipping_lines": [{"method_id": "flat_rate", "instance_id": 1}],
                "payment_method": "bacs",
                "status": "processing",
            },
        ).json()
        numbers.add(order["number"])
    return numbers


def run(h: Harness, orders: int):
    tenant = h.tenant(articles=60)
    try:
        webshop_setup.remove_webhooks(tenant)  # nothing listens here: polled only
        sync_articles(tenant)
        method_templates(tenant)
        numbers = _place_orders(h, tenant, orders)
        h.stdout.write(
            f"Orders {orders} from {CUSTOMERS} customers, 1-3 lines each, shipping and payment templates set."
        )
        h.reset_counts()
        started = time.monotonic()
        peak = h.sync_in_child(tenant.slug, "--kind", "orders")
        wall = time.monotonic() - started
        run = SyncRun.objects.filter(tenant=tenant, kind=SyncRun.Kind.ORDERS).latest("started_at")
        ea, shop = h.counts()
        h.stdout.write(f"\n== order transfer: {run.get_status_display()}, {run.counts}")
        h.print_counts(ea, shop)
        everything = ea + shop
        reference = sum(n for endpoint, n in everything.items() if endpoint in REFERENCE)
        per_order = (sum(everything.values()) - reference) / orders
        company = h.company()["id"]
        docs = requests.get(f"{h.ea}/_sandbox/companies/{company}/resources/orders", timeout=60).json()
        docs = docs.values() if isinstance(docs, dict) else docs
        refs = Counter(d["YourReference"] for d in docs if d["YourReference"] in numbers)
        done = OrderTransfer.objects.filter(
            tenant=tenant, status=OrderTransfer.Status.DONE, written_back=True
        ).count()
        h.stdout.write(
            f"   requests per order {per_order:.2f} (reference reads {reference}, once per run); "
            f"documents {sum(refs.values())} for {orders} orders, missing {len(numbers - set(refs))}, "
            f"duplicated {sum(n - 1 for n in refs.values())}; transferred and written back {done}; "
            f"wall {wall:.1f} s ({orders / wall:.0f} orders/s); peak RSS of the sync process {peak:.0f} MB"
        )
    finally:
        tenant.delete()

"""The article sync: initial sync, a re-sync with nothing changed and one after a day of shop sales,
each beside the minimum the run had to read and write, every part of it named."""

import math
import random
import time
from dataclasses import dataclass, field

import requests

from integration import webshops

from ..eaccounting import budget, contract
from ..models import SyncRun, Tenant
from ..webshops.woocommerce.client import PER_PAGE
from ..webshops.woocommerce.connector import BATCH_SIZE, WooCommerce
from .harness import Harness

ARTICLES_PER_FILTER = 20  # as article_sync.ARTICLES_PER_FILTER: ids folded into one eAccounting read


@dataclass
class Catalogue:
    """What the shop holds besides the articles' own simple products."""

    parents: dict[int, list[str]] = field(default_factory=dict)  # variable product id -> its variations' SKUs

    @property
    def variations(self) -> int:
        return sum(len(skus) for skus in self.parents.values())


def pages(items: int, per_page: int) -> int:
    """Requests to list `items`: at least one (an empty list is one answer too)."""
    return max(1, math.ceil(items / per_page))


def budget_seconds(ea_requests) -> float:
    """The least time the shared budget lets these requests take: each endpoint's count at the
    budget's steady rate (the endpoints' budgets run side by side)."""
    terms = contract.current()
    per_second = terms.rate_limit * budget.SAFETY / terms.rate_window
    by_endpoint: dict[str, int] = {}
    for key, n in ea_requests.items():
        name = budget.endpoint_of(key.split(" ", 1)[1].removeprefix("/v2"))
        by_endpoint[name] = by_endpoint.get(name, 0) + n
    return max(by_endpoint.values(), default=0) / per_second


def measure(h: Harness, title: str, tenant: Tenant, minimum, after=None) -> tuple[int, int]:
    """`minimum`: the run -> {what had to be read or written: requests}; `after(wall)` prints
    what a platform adds (Shopify: the cost budget). Returns the requests made and the minimum."""
    h.reset_counts()
    started = time.monotonic()
    peak = h.sync_in_child(tenant.slug)
    wall = time.monotonic() - started
    run = SyncRun.objects.filter(tenant=tenant, kind__in=(SyncRun.Kind.ARTICLES, SyncRun.Kind.STOCK)).latest(
        "started_at"
    )
    ea, shop = h.counts()
    total = sum(ea.values()) + sum(shop.values())
    needed = {what: n for what, n in minimum(run).items() if n}
    least = sum(needed.values())
    h.stdout.write(f"\n== {title}: {run.get_status_display()}, {run.counts}")
    h.print_counts(ea, shop)
    h.stdout.write("   the minimum, what the run had to read and write:")
    for what, n in needed.items():
        h.stdout.write(f"     {what:<70} {n:>6}")
    h.stdout.write(
        f"   requests {total} (minimum {least}, {total - least:+d}); "
        f"wall {wall:.1f} s (a new process); peak RSS of the sync process {peak:.0f} MB"
    )
    paced = budget_seconds(ea)
    if paced >= 1:
        h.stdout.write(
            f"   eAccounting's budget alone needs {paced:.0f} s for these requests "
            f"({budget.SAFETY:.0%} of {contract.current().rate_limit} a minute per endpoint): "
            f"wall is {wall / paced:.2f}× that"
        )
    if after is not None:
        after(wall)
    return total, least


def _shown_numbers(h: Harness) -> list[str]:
    """Numbers of the articles the shop gets (active, available in the webshop), in the order the
    sync reads them (by CreatedUtc; the seeded articles' creation dates are spread over years)."""
    stored = requests.get(
        f"{h.ea}/_sandbox/companies/{h.company()['id']}/resources/articles", timeout=600
    ).json()
    stored.sort(key=lambda a: a["CreatedUtc"])  # stable: as the sandbox sorts its listing
    return [a["Number"] for a in stored if a.get("IsActive") and a.get("SendToWebshop")]


def add_variable_products(h: Harness, tenant: Tenant, share: float, seed: int = 1) -> Catalogue:
    """`share` of the shown articles become variations (3–10 to a variable product) whose SKUs are
    the articles' numbers, as a shop that sells sizes and colours has them: a model's sizes are
    articles made one after another, so each group is a run of consecutive articles."""
    rng = random.Random(seed)
    numbers = _shown_numbers(h)
    groups: list[list[str]] = []
    wanted, start = int(len(numbers) * share), 0
    while sum(len(g) for g in groups) < wanted and start < len(numbers):
        size = rng.randint(3, 10)
        if rng.random() < share:  # this run of articles is a model's variations
            groups.append(numbers[start : start + size])
        start += size
    shop = webshops.for_connection(tenant.webshop_connection)
    assert isinstance(shop, WooCommerce), "the benchmark's shop is the WooCommerce sandbox"
    client = shop.client
    catalogue = Catalogue()
    for start in range(0, len(groups), BATCH_SIZE):
        batch = groups[start : start + BATCH_SIZE]
        body = {
            "create": [
                {
                    "name": f"Malli {start + i}",
                    "type": "variable",
                    "status": "draft",
                    "attributes": [
                        {
                            "name": "Koko",
                            "variation": True,
                            "visible": True,
                            "options": [f"K{n}" for n in range(len(g))],
                        }
                    ],
                }
                for i, g in enumerate(batch)
            ]
        }
        created = client.request("POST", "products/batch", json=body).data["create"]
        for parent, skus in zip(created, batch, strict=True):
            catalogue.parents[int(parent["id"])] = skus
            variations = [
                {"sku": sku, "regular_price": "1.00", "attributes": [{"name": "Koko", "option": f"K{n}"}]}
                for n, sku in enumerate(skus)
            ]
            client.request("POST", f"products/{parent['id']}/variations/batch", json={"create": variations})
    return catalogue


def place_sales(h: Harness, tenant: Tenant, orders: int, seed: int = 2) -> tuple[set[int], set[int]]:
    """A day of sales: `orders` paid orders of 1–3 lines over the stocked products and variations.
    Returns the products whose stock changed, and the variable products among their parents."""
    rng = random.Random(seed)
    stocked: list[tuple[int, int | None]] = []
    for product in webshops.for_connection(tenant.webshop_connection).products():
        if product.manage_stock and product.type != "variable":
            stocked.append((product.id, product.parent_id))
    changed: set[int] = set()
    parents: set[int] = set()
    for _ in range(orders):
        lines = rng.sample(stocked, rng.randint(1, 3))
        spec = [
            {"product_id": parent or pid, **({"variation_id": pid} if parent else {}), "quantity": 1}
            for pid, parent in lines
        ]
        requests.post(
            f"{h.shop}/_sandbox/orders", json={"line_items": spec, "status": "processing"}, timeout=30
        ).raise_for_status()
        changed.update(pid for pid, _ in lines)
        parents.update(parent for _, parent in lines if parent)
    return changed, parents


def run(h: Harness, articles: int, page_size: int, variable_share: float = 0.2, sales: int = 200):
    tenant = h.tenant(articles)
    try:
        catalogue = add_variable_products(h, tenant, variable_share) if variable_share else Catalogue()
        h.stdout.write(
            f"Articles {articles}, eAccounting page size {page_size}; first sync done on an empty shop; then "
            f"{catalogue.variations} articles made variations of {len(catalogue.parents)} variable products."
        )
        parents = len(catalogue.parents)
        measure(
            h,
            "initial article sync",
            tenant,
            lambda run: {
                "eAccounting: every article, pages of the page size": pages(articles, page_size),
                "eAccounting: units and account codings (a page each)": 2,
                "shop: settings general and tax, the product count": 3,
                f"shop: every product (the variable ones before the sync), pages of {PER_PAGE}": pages(
                    parents, PER_PAGE
                ),
                "shop: each variable product's variations, a page each": parents,
                "shop: open orders (stock they hold), one page": 1,
                f"shop: new products, batches of {BATCH_SIZE}": math.ceil(
                    run.counts.get("created", 0) / BATCH_SIZE
                ),
                "shop: variations written, a batch per variable product": parents,
            },
        )
        measure(
            h,
            "re-sync, nothing changed",
            tenant,
            lambda run: {
                "eAccounting: articles changed since the cursor, one page": 1,
                "shop: products modified since the cursor, one page": 1,
            },
        )
        if sales:
            changed, parents_sold = place_sales(h, tenant, sales)
            h.stdout.write(
                f"\nA day of shop sales: {sales} orders changed the stock of {len(changed)} products "
                f"({len(parents_sold)} variable products among their parents)."
            )
            modified = len(changed) + len(parents_sold)
            measure(
                h,
                "re-sync after a day of shop sales",
                tenant,
                lambda run: {
                    f"eAccounting: changed since the cursor and the {len(changed)} sold, {ARTICLES_PER_FILTER} ids a filter": pages(
                        len(changed), ARTICLES_PER_FILTER
                    ),
                    f"shop: products modified since the cursor, pages of {PER_PAGE}": pages(
                        modified, PER_PAGE
                    ),
                    "shop: each changed variable product's variations, a page each": len(parents_sold),
                    f"shop: open orders (stock they hold), pages of {PER_PAGE}": pages(sales, PER_PAGE),
                    "shop: what the run put back (drift), at least one batch": 1
                    if run.counts.get("updated")
                    else 0,
                },
            )
    finally:
        tenant.delete()

"""The article sync to a Shopify store: the initial sync of N articles to an empty store and a
re-sync with nothing changed, each beside the minimum the run had to read and write (every part
named), and how the run used the store's cost budget (points requested and charged, points a
minute beside the bucket's restore rate, THROTTLED answers)."""

import math

from ..models import Tenant
from ..webshops.shopify import reader
from .articles import measure, pages
from .harness import Harness

BUCKET = 1000.0  # the sandbox's bucket (docs/shopify-unknowns.md S2): full when the run starts


def cost_report(h: Harness, wall: float, restore_rate: float, bucket: float = BUCKET) -> None:
    """The run's use of the store's cost budget, from the shop's own request log."""
    graphql = [r for r in h.shop_log if r.get("roots")]
    throttled = [r for r in graphql if r.get("throttled")]
    answered = [r for r in graphql if not r.get("throttled")]
    requested = sum(int(r.get("requested") or 0) for r in answered)
    actual = sum(int(r.get("cost") or 0) for r in answered)
    minutes = wall / 60
    per_minute = actual / minutes if minutes else 0.0
    allowed = restore_rate * 60
    h.stdout.write(
        f"   Shopify cost: {requested} points requested, {actual} charged over {len(answered)} answers; "
        f"{per_minute:,.0f} points a minute of the {allowed:,.0f} the bucket restores "
        f"({per_minute / allowed:.0%}); THROTTLED answers: {len(throttled)}"
    )
    paced = max(0.0, actual - bucket) / restore_rate
    if paced >= 1:
        h.stdout.write(
            f"   the restore rate alone needs {paced:.0f} s for the points charged past the bucket's "
            f"{bucket:g}: wall is {wall / paced:.2f}× that (the budget, not Silta, sets the pace)"
        )
    if throttled:
        h.stdout.write(
            "   (a THROTTLED answer ran nothing and cost nothing, and was sent again after the wait its "
            "answer gave: the budget's estimate was short, e.g. someone else spent the store's bucket)"
        )


def run(h: Harness, articles: int, page_size: int, restore_rate: float) -> tuple[int, int]:
    """Returns the re-sync's requests and its minimum."""
    tenant: Tenant = h.tenant(articles)
    try:
        h.stdout.write(
            f"Articles {articles}, eAccounting page size {page_size}; an empty Shopify store "
            f"(restore rate {restore_rate:g} points/s); activated, first sync done."
        )
        after = lambda wall: cost_report(h, wall, restore_rate)  # noqa: E731
        measure(
            h,
            "initial article sync to Shopify",
            tenant,
            lambda run: {
                "eAccounting: every article, pages of the page size": pages(articles, page_size),
                "eAccounting: units and account codings (a page each)": 2,
                "shop: settings (shop) and the location, a query each": 2,
                "shop: every variant, one bulk query: run and poll (an empty store: no result to read)": 2,
                "shop: open orders (the stock they hold), one page": 1,
                "shop: new products, one productSet each with its variant, SKU, price and stock "
                "(no multi-product create but a bulk mutation)": run.counts.get("created", 0),
                f"shop: the new variants read back, {reader.SKU_BATCH} SKUs a query": math.ceil(
                    run.counts.get("created", 0) / reader.SKU_BATCH
                ),
            },
            after,
        )
        return measure(
            h,
            "re-sync to Shopify, nothing changed",
            tenant,
            lambda run: {
                "eAccounting: articles changed since the cursor, one page": 1,
                "shop: the location stock is read at (not stored between runs), one query": 1,
                "shop: variants updated since the cursor, one page": 1,
            },
            after,
        )
    finally:
        tenant.delete()

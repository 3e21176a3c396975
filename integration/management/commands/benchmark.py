"""Benchmarks against both sandboxes (run as processes); each prints its figures.

    make benchmark ARGS="articles --articles 10000 --latency-ms 25 --page-size 50"
    make benchmark ARGS="orders --orders 1000"
    make benchmark ARGS="articles --platform shopify --articles 10000"

(`make benchmark` gives it a database of its own: a task cluster on another database must
not pick up the jobs it enqueues.)

articles: a throw-away tenant, activated, first sync on an empty shop, then `--variable-share` of
the articles made variations in the shop (3-10 to a variable product); then `manage.py sync` in a
process of its own: the initial article sync, a re-sync with nothing changed and one after a day of
shop sales (`--sales` orders). For each: HTTP requests by system and endpoint beside the minimum
the run had to read and write (each part named), wall time, the sync process's peak RSS.

articles --platform shopify: the same eAccounting side, an EMPTY Shopify sandbox store (its bucket's
restore rate `--restore-rate`): the initial sync and a re-sync with nothing changed, each with the
requests beside their minimum, the store's cost points requested and charged, points a minute beside
the restore rate, THROTTLED answers, wall time and peak RSS (docs/benchmarks.md: why creates are
one product a request).

orders: N web orders placed in the shop, then one `manage.py sync --kind orders`: requests per
order (reference reads counted apart), documents missing and duplicated, wall time, peak RSS.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integration.benchmarks import articles, orders, shopify_articles
from integration.benchmarks.harness import Harness


class Command(BaseCommand):
    help = "Measure a sync against the sandboxes: requests (vs the minimum), duplicates, wall time, peak RSS."

    def add_arguments(self, parser):
        parser.add_argument("scenario", choices=["articles", "orders"])
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--orders", type=int, default=1_000)
        parser.add_argument(
            "--platform",
            choices=["woocommerce", "shopify"],
            default="woocommerce",
            help="articles: the shop the articles go to (shopify: an empty Shopify sandbox store)",
        )
        parser.add_argument(
            "--restore-rate",
            type=float,
            default=100.0,
            help="shopify: the store's cost bucket restore rate, points a second (Standard plan: 100)",
        )
        parser.add_argument("--latency-ms", type=int, default=25)
        parser.add_argument("--page-size", type=int, default=50)
        parser.add_argument(
            "--variable-share",
            type=float,
            default=0.2,
            help="articles: share of the shown articles that are variations in the shop (3-10 each)",
        )
        parser.add_argument(
            "--sales",
            type=int,
            default=200,
            help="articles: orders of a day of shop sales before the last re-sync (0: none)",
        )
        parser.add_argument(
            "--profile",
            metavar="DIR",
            help="write each sync process's cProfile statistics to DIR (read with `python -m pstats`)",
        )
        parser.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="our eAccounting budget per endpoint a minute (default: EACCOUNTING_RATE_LIMIT)",
        )

    def handle(self, *args, scenario, platform, latency_ms, page_size, rate_limit, profile, **options):
        if rate_limit:
            settings.EACCOUNTING_RATE_LIMIT = rate_limit
        if platform == "shopify" and scenario != "articles":
            raise CommandError("--platform shopify: only the articles scenario is measured for Shopify yet.")
        restore_rate = options["restore_rate"]
        shop_settings = {"restore_rate": restore_rate} if platform == "shopify" else None
        with Harness.running(
            self.stdout,
            latency_ms=latency_ms,
            page_size=page_size,
            platform=platform,
            shop_settings=shop_settings,
        ) as h:
            if profile:
                os.makedirs(profile, exist_ok=True)
                h.profile_dir = os.path.abspath(profile)
            if platform == "shopify":
                shopify_articles.run(h, options["articles"], page_size, restore_rate)
            elif scenario == "articles":
                articles.run(h, options["articles"], page_size, options["variable_share"], options["sales"])
            else:
                orders.run(h, options["orders"])

"""Benchmarks against both sandboxes (run as processes); each prints its figures.

    make benchmark ARGS="articles --articles 10000 --latency-ms 25 --page-size 50"
    make benchmark ARGS="orders --orders 1000"

(`make benchmark` gives it a database of its own: a task cluster on another database must
not pick up the jobs it enqueues.)

articles: a throw-away tenant, activated, first sync on an empty shop, then `--variable-share` of
the articles made variations in the shop (3-10 to a variable product); then `manage.py sync` in a
process of its own: the initial article sync, a re-sync with nothing changed and one after a day of
shop sales (`--sales` orders). For each: HTTP requests by system and endpoint beside the minimum
the run had to read and write (each part named), wall time, the sync process's peak RSS.

orders: N web orders placed in the shop, then one `manage.py sync --kind orders`: requests per
order (reference reads counted apart), documents missing and duplicated, wall time, peak RSS.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from integration.benchmarks import articles, orders
from integration.benchmarks.harness import Harness


class Command(BaseCommand):
    help = "Measure a sync against the sandboxes: requests (vs the minimum), duplicates, wall time, peak RSS."

    def add_arguments(self, parser):
        parser.add_argument("scenario", choices=["articles", "orders"])
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--orders", type=int, default=1_000)
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

    def handle(self, *args, scenario, latency_ms, page_size, rate_limit, profile, **options):
        if rate_limit:
            settings.EACCOUNTING_RATE_LIMIT = rate_limit
        with Harness.running(self.stdout, latency_ms=latency_ms, page_size=page_size) as h:
            if profile:
                os.makedirs(profile, exist_ok=True)
                h.profile_dir = os.path.abspath(profile)
            if scenario == "articles":
                articles.run(h, options["articles"], page_size, options["variable_share"], options["sales"])
            else:
                orders.run(h, options["orders"])

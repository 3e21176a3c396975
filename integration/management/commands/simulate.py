"""Many tenants sharing one eAccounting budget, on a scaled clock (integration/simulation/).

    make simulate ARGS="--tenants 100 --articles 2000 --hours 1 --scale 10 --limit 60"

Builds the tenants (not timed), then runs --hours of simulated owners' work with the production
schedules, budget plan, budget, cluster and webhooks, and prints delays (simulated seconds) from a
paid order to eAccounting and from an article change to the shop, eAccounting requests per
endpoint per simulated minute, and 429s. Needs PostgreSQL (several processes share the database).
"""

import logging
import threading
import time
from collections import Counter

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from integration.benchmarks.harness import free_port
from integration.scheduling import schedules
from integration.simulation import processes, report, timing, workload, world
from integration.simulation.scheduler import ScaledScheduler


class Command(BaseCommand):
    help = "Simulate N tenants on one eAccounting budget against the sandboxes; prints delays, requests and 429s."

    def add_arguments(self, parser):
        parser.add_argument("--tenants", type=int, default=100)
        parser.add_argument("--articles", type=int, default=2000, help="per tenant")
        parser.add_argument("--hours", type=float, default=1.0, help="simulated hours of work")
        parser.add_argument(
            "--drain-minutes", type=float, default=15, help="simulated minutes after the work stops"
        )
        parser.add_argument("--scale", type=float, default=10, help="simulated seconds per real second")
        parser.add_argument(
            "--limit", type=int, default=600, help="eAccounting requests a minute per endpoint"
        )
        parser.add_argument("--page-size", type=int, default=50)
        parser.add_argument("--changes", type=float, default=10, help="article changes per tenant an hour")
        parser.add_argument("--orders", type=float, default=2, help="paid orders per tenant an hour")
        parser.add_argument(
            "--customers",
            type=int,
            default=40,
            help="customers each company has in eAccounting before the run (about half private persons)",
        )
        parser.add_argument(
            "--returning",
            type=float,
            default=0.6,
            help="share of orders placed by one of those private customers; the rest by a new buyer each",
        )
        parser.add_argument(
            "--polling-only", action="store_true", help="no webhooks: orders wait for the poll"
        )
        parser.add_argument("--workers", type=int, default=4, help="workers of each catalogue cluster")
        parser.add_argument(
            "--clusters",
            type=int,
            default=1,
            help="catalogue clusters on the one database (the scale-out: more machines)",
        )
        parser.add_argument(
            "--order-workers",
            type=int,
            default=2,
            help="workers of the orders queue's own cluster, as production runs it (0: one cluster runs all)",
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The simulation runs several processes on one database: set DATABASE_URL to PostgreSQL."
            )
        settings.DEBUG = False  # no query log kept in memory
        logging.getLogger("django-q").setLevel(logging.WARNING)  # not a line per enqueued task
        say, scale = self.stdout.write, o["scale"]
        web_port = free_port()
        settings.SILTA_BASE_URL = f"http://127.0.0.1:{web_port}"  # where the shops' webhooks go
        settings.SILTA_ORDERS_QUEUE = "silta-orders" if o["order_workers"] else ""
        with processes.sandboxes(o["page_size"]) as (ea, wc):
            settings.EACCOUNTING_IDENTITY_URL, settings.EACCOUNTING_API_URL = ea, f"{ea}/v2"
            settings.EACCOUNTING_PAGE_SIZE, settings.EACCOUNTING_RATE_LIMIT = o["page_size"], 1_000_000
            say(f"Building {o['tenants']} tenants of {o['articles']} articles (not timed) ...")
            started = time.monotonic()
            tenants = world.build(
                ea, wc, o["tenants"], o["articles"], not o["polling_only"], say, o["customers"]
            )
            say(f"  built in {time.monotonic() - started:.0f} s")

            # the schedules are planned in simulated minutes: `limit` a minute ...
            settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_RATE_WINDOW = o["limit"], 60.0
            plan = schedules.replan()
            # ... and from here on the budget runs on the scaled clock, here and in the sandbox
            settings.EACCOUNTING_RATE_WINDOW = 60 / scale
            requests.patch(
                f"{ea}/_sandbox/settings",
                timeout=10,
                json={"rate_limit": o["limit"], "rate_window": 60 / scale},
            )
            time.sleep(2 * 60 / scale)  # the build's unlimited requests leave the provider's window first
            say(
                f"Budget plan: shortest intervals {plan.minimum} (minutes); expected {plan.articles_per_minute:.0f} "
                f"article requests a minute of {plan.allowed_per_minute:.0f} planned"
            )
            happenings = workload.plan(tenants, o["hours"], o["changes"], o["orders"])
            scheduler = ScaledScheduler(scale)
            player = workload.Player(ea, scale, happenings, returning=o["returning"])
            sampler = report.RequestSampler(ea, scale)
            backlog = timing.BacklogSampler(scale)
            since = timezone.now()
            with processes.portal(o["workers"], o["order_workers"], web_port, scale, o["clusters"]):
                say(
                    f"Running {o['hours']} simulated hours ({o['hours'] * 3600 / scale:.0f} s) of {len(happenings)} "
                    f"changes and orders, then {o['drain_minutes']} simulated minutes more ..."
                )
                clock = time.monotonic()
                threads = [
                    threading.Thread(target=x, args=a, daemon=True)
                    for x, a in (
                        (scheduler.run, (clock,)),
                        (player.run, (clock,)),
                        (sampler.run, ()),
                        (backlog.run, ()),
                    )
                ]
                for thread in threads:
                    thread.start()
                time.sleep((o["hours"] * 3600 + o["drain_minutes"] * 60) / scale)
                for stopper in (scheduler, player, sampler, backlog):
                    stopper.stop.set()
                for thread in threads:
                    thread.join(timeout=30)
            report.print_report(say, happenings, scale, sampler, o["limit"], scheduler.fired, player.errors)
            timing.print_times(say, timing.job_times(since, scale), backlog)
            spent, transferred = timing.requests_per_order(since)
            documents, customers, other = timing.request_split(sum(sampler.minutes, Counter()), spent)
            per = max(1, transferred)
            say(
                f"eAccounting requests per order: {spent / per:.2f} ({spent} requests of all order runs "
                f"for {transferred} orders transferred while measuring): order documents {documents / per:.2f}, "
                f"customer creations {customers / per:.2f}, other {other / per:.2f}; buyers: "
                f"{o['returning']:.0%} returning (of {o['customers']} customers a company, about half private), "
                "the rest new"
            )
            say(
                f"Layout: {o['clusters']} catalogue cluster(s) of {o['workers']} workers, "
                f"orders queue {'on a cluster of ' + str(o['order_workers']) + ' workers' if o['order_workers'] else 'shared'}"
            )

"""Benchmark the article sync against both sandboxes and print the figures.

    make benchmark ARGS="--articles 10000 --latency-ms 25 --page-size 50"

(`make benchmark` gives it a database of its own: a task cluster on another database must
not pick up the jobs it enqueues.)

Runs the sandboxes as separate processes, creates a throw-away tenant, activates it and does
the first sync on an empty shop, then measures `manage.py sync` in a process of its own: the
initial article sync, and a re-sync with nothing changed. For each: HTTP requests by system
and endpoint beside the minimum possible, wall time, and the sync process's peak RSS.
"""

import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.models import ConnectionStatus, EAccountingConnection, SyncRun, Tenant, WebshopConnection
from integration.sync import first_sync

ID = re.compile(r"/\d+")
# units, codings, the shop's settings (general, tax, product count), open orders: read by the first
# run, then kept between runs
REFERENCE_REQUESTS = 6


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(module, port, *args):
    process = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=settings.BASE_DIR)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{url}/_sandbox/", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _high_water_mb(pid) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Measure the article sync against the sandboxes: requests vs the minimum, wall time, peak RSS."

    def add_arguments(self, parser):
        parser.add_argument("scenario", choices=["articles"])
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--latency-ms", type=int, default=25)
        parser.add_argument("--page-size", type=int, default=50)

    def handle(self, *args, articles, latency_ms, page_size, **options):
        settings.DEBUG = False  # with DEBUG on, Django keeps every SQL query in memory: not a production figure
        ea_args = ["--seed-articles", "0", "--set", f"page_size_max={page_size}", "--set", f"latency_ms={latency_ms}"]
        with _server("sandbox.eaccounting", _free_port(), *ea_args) as ea, _server("sandbox.woocommerce", _free_port()) as shop:
            self.ea, self.shop = ea, shop
            settings.EACCOUNTING_IDENTITY_URL, settings.EACCOUNTING_API_URL = ea, f"{ea}/v2"
            settings.EACCOUNTING_PAGE_SIZE = page_size
            requests.patch(f"{shop}/_sandbox/settings", json={"request_log_limit": 1_000_000}, timeout=10)
            requests.post(f"{shop}/_sandbox/faults", json={"latency_ms": latency_ms}, timeout=10)
            tenant = self._tenant(articles)
            try:
                self._run(tenant, articles, page_size)
            finally:
                tenant.delete()

    def _tenant(self, count):
        company = requests.get(f"{self.ea}/_sandbox/companies", timeout=10).json()[0]
        requests.post(f"{self.ea}/_sandbox/companies/{company['id']}/articles", json={"count": count}, timeout=600)
        tokens = requests.post(f"{self.ea}/_sandbox/tokens", json={"company_id": company["id"]}, timeout=10).json()
        key = requests.post(f"{self.shop}/_sandbox/keys", json={"permissions": "read_write"}, timeout=10).json()
        tenant = Tenant.objects.create(name="Benchmark Oy", slug=f"benchmark-{int(time.time())}")
        EAccountingConnection.objects.create(
            tenant=tenant, status=ConnectionStatus.CONNECTED, company_id=company["id"], company_name=company["name"],
            access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
            access_token_expires_at=timezone.now() + timezone.timedelta(hours=1),
        )
        WebshopConnection.objects.create(tenant=tenant, base_url=self.shop, api_key=key["consumer_key"],
                                         api_secret=key["consumer_secret"], status=ConnectionStatus.CONNECTED)  # fmt: skip
        activate(tenant, check(gather(tenant)))
        first_sync.apply(first_sync.preview(tenant))  # an empty shop: nothing to import
        tenant.refresh_from_db()
        return tenant

    def _counts(self):
        ea = requests.get(f"{self.ea}/_sandbox/counters", timeout=10).json()["requests"]
        log = requests.get(f"{self.shop}/_sandbox/requests", timeout=60).json()
        shop = Counter(r["method"] + " " + ID.sub("/{id}", r["path"]) for r in log)
        return Counter(ea), shop

    def _reset_counts(self):
        requests.delete(f"{self.ea}/_sandbox/counters", timeout=10)
        requests.delete(f"{self.shop}/_sandbox/requests", timeout=10)

    def _sync_in_child(self, tenant):
        """`manage.py sync` in a process of its own, so its peak RSS is the sync's alone."""
        env = {
            **os.environ, "DEBUG": "false", "SECRET_KEY": "benchmark-" + "k" * 50, "ALLOWED_HOSTS": "localhost",
            "SILTA_ENCRYPTION_KEYS": ",".join(settings.SILTA_ENCRYPTION_KEYS),
            "EACCOUNTING_IDENTITY_URL": self.ea, "EACCOUNTING_API_URL": f"{self.ea}/v2",
            "EACCOUNTING_PAGE_SIZE": str(settings.EACCOUNTING_PAGE_SIZE), "WEBSHOP_ALLOW_HTTP_HOSTS": "127.0.0.1",
        }
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen([sys.executable, "manage.py", "sync", tenant.slug], env=env,
                                       cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=errors)  # fmt: skip
            # VmHWM, the process's own high-water mark (getrusage would include this process's
            # memory at fork time); it only grows, so the last reading before exit is the peak.
            peak = 0
            while process.poll() is None:
                peak = max(peak, _high_water_mb(process.pid))
                time.sleep(0.05)
            if process.returncode:
                errors.seek(0)
                raise CommandError(f"manage.py sync failed: {errors.read().decode()[-2000:]}")
        return peak

    def _measure(self, title, tenant, minimum):
        """`minimum`: a function of the run, e.g. of how many products it created."""
        self._reset_counts()
        started = time.monotonic()
        peak = self._sync_in_child(tenant)
        wall = time.monotonic() - started
        run = SyncRun.objects.filter(tenant=tenant, kind=SyncRun.Kind.ARTICLES).latest("started_at")
        ea, shop = self._counts()
        total = sum(ea.values()) + sum(shop.values())
        minimum = minimum(run)
        self.stdout.write(f"\n== {title}: {run.get_status_display()}, {run.counts}")
        for system, counts in (("eAccounting", ea), ("shop", shop)):
            for endpoint, n in sorted(counts.items()):
                self.stdout.write(f"   {system:<12} {endpoint:<55} {n:>6}")
        self.stdout.write(f"   requests {total} (minimum {minimum}, {total - minimum:+d}); "
                          f"wall {wall:.1f} s (a new process); peak RSS of the sync process {peak:.0f} MB")  # fmt: skip

    def _run(self, tenant, articles, page_size):
        self.stdout.write(f"Articles {articles}, eAccounting page size {page_size}; first sync done on an empty shop "
                          f"(in this process, peak RSS {_peak_rss_mb():.0f} MB).")  # fmt: skip
        ea_pages = math.ceil(articles / page_size)
        shop_pages = 1  # the shop is empty
        self._measure("initial article sync", tenant, lambda run: ea_pages + shop_pages + REFERENCE_REQUESTS
                      + math.ceil(run.counts.get("created", 0) / 100))  # fmt: skip
        self._measure("re-sync, nothing changed", tenant, lambda run: 2)  # one page of each side

"""What every benchmark needs: both sandboxes as processes, a throw-away tenant, request counts
from the sandboxes, and `manage.py sync` in a child process whose peak RSS is its own."""

import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import requests
from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from ..activation.activate import activate
from ..activation.fetch import gather
from ..activation.preflight import check
from ..models import ConnectionStatus, EAccountingConnection, Tenant, WebshopConnection
from ..sync import first_sync

ID = re.compile(r"/\d+")


def wait_until_answering(url: str, what: str, timeout: float = 60) -> None:
    """Until `url` answers at all, `timeout` seconds in all: a server that is still starting may
    refuse, reset or not answer in time (ReadTimeout), and each of those means "not yet"."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=min(5.0, max(0.1, deadline - time.monotonic())))
            return
        except requests.RequestException as e:
            last = e
            time.sleep(0.2)
    raise CommandError(f"{what} did not answer {url} within {timeout:.0f} s (last error: {last})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(module, port, *args):
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=settings.BASE_DIR,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(f"{url}/_sandbox/", module)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def high_water_mb(pid) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def shopify_endpoint(entry: dict) -> str:
    """A Shopify request by what it asked: the GraphQL root fields (THROTTLED apart), or the
    path of a bulk result read from the shop's storage."""
    roots = entry.get("roots")
    if not roots:
        return entry["method"] + " " + ID.sub("/{id}", entry["path"])
    return "graphql " + ", ".join(roots) + (" (THROTTLED)" if entry.get("throttled") else "")


class Harness:
    def __init__(self, ea: str, shop: str, stdout, platform: str = "woocommerce"):
        self.ea, self.shop, self.stdout, self.platform = ea, shop, stdout, platform
        self.profile_dir: str | None = None  # --profile: each sync process's cProfile statistics go here
        self.profiles = 0
        self.shop_log: list[dict] = []

    @classmethod
    @contextmanager
    def running(
        cls,
        stdout,
        *,
        latency_ms: int,
        page_size: int,
        platform: str = "woocommerce",
        shop_settings: dict | None = None,
    ):
        """Both sandboxes as processes: eAccounting and the `platform`'s shop (`shop_settings`:
        the Shopify sandbox's settings, e.g. its bucket's restore rate)."""
        settings.DEBUG = (
            False  # with DEBUG on, Django keeps every SQL query in memory: not a production figure
        )
        ea_args = [
            "--seed-articles",
            "0",
            "--set",
            f"page_size_max={page_size}",
            "--set",
            f"latency_ms={latency_ms}",
            "--set",
            "rate_limit=1000000",
        ]
        with (
            server("sandbox.eaccounting", free_port(), *ea_args) as ea,
            server(f"sandbox.{platform}", free_port()) as shop,
        ):
            settings.EACCOUNTING_IDENTITY_URL, settings.EACCOUNTING_API_URL = ea, f"{ea}/v2"
            settings.EACCOUNTING_PAGE_SIZE = page_size
            if platform == "shopify":  # no latency switch: its requests are paced by the cost budget
                body = {"request_log_limit": 1_000_000, **(shop_settings or {})}
                requests.post(f"{shop}/_sandbox/settings", json=body, timeout=10).raise_for_status()
            else:
                requests.patch(f"{shop}/_sandbox/settings", json={"request_log_limit": 1_000_000}, timeout=10)
                requests.post(f"{shop}/_sandbox/faults", json={"latency_ms": latency_ms}, timeout=10)
            yield cls(ea, shop, stdout, platform)

    def company(self) -> dict:
        return requests.get(f"{self.ea}/_sandbox/companies", timeout=10).json()[0]

    def tenant(self, articles: int) -> Tenant:
        """Connected, `articles` seeded in eAccounting, activated, first sync done on an empty shop."""
        company = self.company()
        requests.post(
            f"{self.ea}/_sandbox/companies/{company['id']}/articles", json={"count": articles}, timeout=600
        )
        tokens = requests.post(
            f"{self.ea}/_sandbox/tokens", json={"company_id": company["id"]}, timeout=10
        ).json()
        tenant = Tenant.objects.create(name="Benchmark Oy", slug=f"benchmark-{int(time.time())}")
        EAccountingConnection.objects.create(
            tenant=tenant,
            status=ConnectionStatus.CONNECTED,
            company_id=company["id"],
            company_name=company["name"],
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            access_token_expires_at=timezone.now() + timedelta(hours=1),
        )
        if self.platform == "shopify":
            token = requests.post(f"{self.shop}/_sandbox/tokens", json={}, timeout=10).json()
            WebshopConnection.objects.create(
                tenant=tenant,
                platform="shopify",
                base_url=self.shop,
                api_key=token["access_token"],
                status=ConnectionStatus.CONNECTED,
            )
        else:
            key = requests.post(
                f"{self.shop}/_sandbox/keys", json={"permissions": "read_write"}, timeout=10
            ).json()
            WebshopConnection.objects.create(
                tenant=tenant,
                base_url=self.shop,
                api_key=key["consumer_key"],
                api_secret=key["consumer_secret"],
                status=ConnectionStatus.CONNECTED,
            )
        activate(tenant, check(gather(tenant)))
        first_sync.apply(first_sync.preview(tenant))  # an empty shop: nothing to import
        tenant.refresh_from_db()
        return tenant

    def counts(self) -> tuple[Counter, Counter]:
        ea = requests.get(f"{self.ea}/_sandbox/counters", timeout=10).json()["requests"]
        log = requests.get(f"{self.shop}/_sandbox/requests", timeout=600).json()
        self.shop_log = log  # each request as the shop logged it (Shopify: its cost too)
        if self.platform == "shopify":
            return Counter(ea), Counter(shopify_endpoint(r) for r in log)
        shop = Counter(r["method"] + " " + ID.sub("/{id}", r["path"]) for r in log)
        return Counter(ea), shop

    def reset_counts(self):
        requests.delete(f"{self.ea}/_sandbox/counters", timeout=10)
        requests.delete(f"{self.shop}/_sandbox/requests", timeout=10)

    def print_counts(self, ea: Counter, shop: Counter):
        for system, counts in (("eAccounting", ea), ("shop", shop)):
            for endpoint, n in sorted(counts.items()):
                self.stdout.write(f"   {system:<12} {endpoint:<55} {n:>6}")

    def sync_in_child(self, *args) -> float:
        """`manage.py sync <args>` in a process of its own; returns its peak RSS in MB."""
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-" + "k" * 50,
            "ALLOWED_HOSTS": "localhost",
            "SILTA_ENCRYPTION_KEYS": ",".join(settings.SILTA_ENCRYPTION_KEYS),
            "EACCOUNTING_IDENTITY_URL": self.ea,
            "EACCOUNTING_API_URL": f"{self.ea}/v2",
            "EACCOUNTING_PAGE_SIZE": str(settings.EACCOUNTING_PAGE_SIZE),
            "WEBSHOP_ALLOW_HTTP_HOSTS": "127.0.0.1",
            "EACCOUNTING_RATE_LIMIT": str(settings.EACCOUNTING_RATE_LIMIT),
        }
        with tempfile.TemporaryFile() as errors:
            profiler: list[str] = []
            if self.profile_dir:
                self.profiles += 1
                path = os.path.join(self.profile_dir, f"sync-{self.profiles}.prof")
                profiler = ["-m", "cProfile", "-o", path]
                self.stdout.write(f"   (profiled: {path})")
            process = subprocess.Popen(
                [sys.executable, *profiler, "manage.py", "sync", *args],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            # VmHWM, the process's own high-water mark (getrusage would include this process's
            # memory at fork time); it only grows, so the last reading before exit is the peak.
            peak = 0.0
            while process.poll() is None:
                peak = max(peak, high_water_mb(process.pid))
                time.sleep(0.05)
            if process.returncode:
                errors.seek(0)
                raise CommandError(f"manage.py sync failed: {errors.read().decode()[-2000:]}")
        return peak

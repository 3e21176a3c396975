"""Run the whole product locally: demo data, the sandbox servers, the task cluster and the web server."""

import os
import random
import signal
import subprocess
import sys
import time

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from .seed_demo import DEMO_PASSWORD, DEMO_TENANTS

WEBSHOP_ORDER_EVERY = 90  # seconds between the demo's Visma Verkkokauppa orders
SANDBOX_START_SECONDS = 30  # how long each sandbox may take to answer before the demo gives up
# Kahvila Kaski's Shopify store (the sandbox stands in for it) and its company in the eAccounting sandbox,
# added at each start (the sandbox keeps nothing): a fixed id, so a connection made in an earlier run holds.
SHOPIFY_STORE = "kahvila-kaski.myshopify.com"
KASKI_COMPANY = {
    "name": DEMO_TENANTS[3][0],
    "corporate_id": DEMO_TENANTS[3][2],
    "id": "6b0f3c52-7d1e-4a5b-9c8d-2e4f6a8b0c14",
    "articles": 30,
    "seed": 4,
    "users": ["demo@example.com"],
}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Migrate, seed demo data, then run the sandboxes (eAccounting, WooCommerce, Shopify), the django-q2 "
        "cluster and the web server until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--eaccounting-port", type=int, default=8101)
        parser.add_argument("--shop-port", type=int, default=8102)
        parser.add_argument("--shopify-port", type=int, default=8103)

    def handle(self, *args, host, port, eaccounting_port, shop_port, shopify_port, **options):
        (settings.BASE_DIR / "var").mkdir(exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("seed_demo")

        portal = f"http://{host}:{port}"
        eaccounting = f"http://{host}:{eaccounting_port}"
        shop = f"http://{host}:{shop_port}"
        shopify = f"http://{host}:{shopify_port}"
        # The children talk to the local sandbox instead of Visma: only these URLs differ.
        env = {
            **os.environ,
            "SILTA_BASE_URL": portal,
            "EACCOUNTING_IDENTITY_URL": eaccounting,
            "EACCOUNTING_API_URL": f"{eaccounting}/v2",
            "EACCOUNTING_CLIENT_ID": "silta-demo",
            "EACCOUNTING_CLIENT_SECRET": "silta-demo-secret",
            # every myshopify.com store is the Shopify sandbox (its approval page and API); its app is the
            # DEBUG default SHOPIFY_CLIENT_ID / SHOPIFY_CLIENT_SECRET
            "SHOPIFY_SANDBOX_URL": shopify,
            # invitations and password resets: kept for the superuser's Demo mailbox page, not the terminal
            "SILTA_DEMO_MAILBOX": os.environ.get("SILTA_DEMO_MAILBOX", "true"),
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        processes = {
            "eAccounting sandbox": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sandbox.eaccounting",
                    "--host",
                    host,
                    "--port",
                    str(eaccounting_port),
                ],
                env=env,
                cwd=settings.BASE_DIR,
            ),
            "WooCommerce sandbox": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sandbox.woocommerce",
                    "--host",
                    host,
                    "--port",
                    str(shop_port),
                    "--seed",
                    "--products",
                    "200",
                    "--orders",
                    "20",
                    "--order-every",
                    "60",
                ],
                env=env,
                cwd=settings.BASE_DIR,
            ),
            "Shopify sandbox": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sandbox.shopify",
                    "--host",
                    host,
                    "--port",
                    str(shopify_port),
                    "--shop",
                    SHOPIFY_STORE,
                    "--seed",
                    "--products",
                    "16",
                    # paid orders from before the owner connects: the first sync learns the products'
                    # VAT rates from them (with the sandbox's seed 1, every one of the 16 has been sold)
                    "--orders",
                    "30",
                    "--order-every",
                    "60",
                ],
                env=env,
                cwd=settings.BASE_DIR,
            ),
            "task cluster": subprocess.Popen([*manage, "qcluster"], env=env),
            "web server": subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"], env=env),
        }
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` or a service manager stops the children too
        try:
            # The demo's shop data is added through the sandboxes' HTTP APIs: wait until they answer.
            for name, url in (
                ("eAccounting sandbox", eaccounting),
                ("WooCommerce sandbox", shop),
                ("Shopify sandbox", shopify),
            ):
                self._wait_until_answering(name, processes[name], f"{url}/_sandbox/")
            self._add_clashing_products(eaccounting, shop)
            self._add_kaski_company(eaccounting)
            owners = ", ".join(owner for *_, owner in DEMO_TENANTS)
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nSilta is running at {portal}/\n"
                    f"  superuser: admin / {DEMO_PASSWORD}\n"
                    f"  company owners: {owners} (password {DEMO_PASSWORD})\n"
                    f"  eAccounting sandbox: {eaccounting}/ (sign in there as demo@example.com / demo)\n"
                    f"  WooCommerce sandbox: {shop}/ (use it as the shop address in Connect webshop)\n"
                    f"  Shopify sandbox: {shopify}/_sandbox/ (as kaski: Connect webshop → Shopify, type "
                    f"{SHOPIFY_STORE} and install the app)\n"
                    f"  e-mails (invitations, password resets): {portal}/demo-mailbox/ (as admin)\n"
                    f"  health: {portal}/healthz\n"
                    "Press Ctrl-C to stop.\n"
                )
            )
            next_webshop_order = time.monotonic() + WEBSHOP_ORDER_EVERY
            while all(p.poll() is None for p in processes.values()):
                time.sleep(1)
                if time.monotonic() >= next_webshop_order:
                    self._place_webshop_order(eaccounting)
                    next_webshop_order += WEBSHOP_ORDER_EVERY
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"Stopped unexpectedly: {', '.join(stopped)}")
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in processes.values():
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()

    def _wait_until_answering(self, name, process, url, timeout=SANDBOX_START_SECONDS):
        """Poll ``url`` until the sandbox answers 200; CommandError if it exits or stays silent for ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise CommandError(
                    f"The {name} exited (code {process.returncode}) before answering at {url}; "
                    "is its port in use?"
                )
            try:
                if requests.get(url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() >= deadline:
                raise CommandError(f"The {name} did not answer at {url} within {timeout} seconds.")
            time.sleep(0.25)

    def _place_webshop_order(self, eaccounting):
        """A customer buys in Tekniikkatalo's Visma Verkkokauppa (its orders arrive through eAccounting)."""
        try:
            company = next(
                c
                for c in requests.get(f"{eaccounting}/_sandbox/companies", timeout=10).json()
                if c["name"] == DEMO_TENANTS[2][0]
            )
            base = f"{eaccounting}/_sandbox/companies/{company['id']}"
            articles = [
                a for a in requests.get(f"{base}/resources/articles", timeout=10).json() if a["IsActive"]
            ]
            n = random.randrange(1000)
            rows = [
                {"ArticleNumber": a["Number"], "Quantity": random.randint(1, 3)}
                for a in random.sample(articles, 2)
            ]
            requests.post(
                f"{base}/webshoporders",
                timeout=10,
                json={"Rows": rows, "Name": f"Verkkoasiakas {n}", "EmailAddress": f"asiakas{n}@example.fi"},
            ).raise_for_status()
        except (requests.RequestException, StopIteration, KeyError, ValueError) as exc:
            self.stderr.write(f"Could not place the demo's webshop order: {exc}")

    def _add_kaski_company(self, eaccounting):
        """Kahvila Kaski's company in the eAccounting sandbox, for the demo user (demo@example.com)."""
        try:
            requests.post(
                f"{eaccounting}/_sandbox/companies", json=KASKI_COMPANY, timeout=10
            ).raise_for_status()
        except requests.RequestException as exc:
            self.stderr.write(f"Could not add Kahvila Kaski's eAccounting company: {exc}")

    def _add_clashing_products(self, eaccounting, shop, count=3):
        """Give the demo shop a few products whose SKUs are Kahvila Aurinko's article numbers,
        so the first-sync preview has overwrites to show."""
        try:
            company = next(
                c
                for c in requests.get(f"{eaccounting}/_sandbox/companies", timeout=10).json()
                if c["name"] == DEMO_TENANTS[0][0]
            )
            articles = requests.get(
                f"{eaccounting}/_sandbox/companies/{company['id']}/resources/articles", timeout=10
            ).json()
            key = requests.post(
                f"{shop}/_sandbox/keys", json={"permissions": "read_write"}, timeout=10
            ).json()
            auth = (key["consumer_key"], key["consumer_secret"])
            for article in [a for a in articles if a["IsActive"]][:count]:
                requests.post(
                    f"{shop}/wp-json/wc/v3/products",
                    auth=auth,
                    timeout=10,
                    json={
                        "sku": article["Number"],
                        "name": f"{article['Name']} (verkkokaupan nimi)"[:50],
                        "regular_price": "19.90",
                        "description": "Tuotekuvaus verkkokaupasta.",
                    },
                )
        except (requests.RequestException, StopIteration, KeyError, ValueError) as exc:
            self.stderr.write(f"Could not add the demo's clashing products: {exc}")

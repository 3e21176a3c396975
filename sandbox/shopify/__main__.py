"""``python -m sandbox.shopify --port 8103 --seed`` runs the sandbox Shopify store (``--multi-shop``: many stores)."""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections.abc import Callable

from . import API_VERSION
from .app import SandboxApp, create_app
from .multishop import MultiShopApp
from .seed import place_random_order
from .server import start_in_thread
from .store import DEFAULT_SETTINGS


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m sandbox.shopify", description="Shopify GraphQL Admin API sandbox"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8103)
    p.add_argument("--seed", action="store_true", help="seed demo products and orders")
    p.add_argument("--products", type=int, default=200)
    p.add_argument("--orders", type=int, default=50)
    p.add_argument("--random-seed", type=int, default=1)
    p.add_argument(
        "--shop", default=None, help="the store's myshopify.com domain (default silta-sandbox.myshopify.com)"
    )
    p.add_argument("--app", default=None, help="the app's client_id:client_secret (installable)")
    p.add_argument("--token", default=None, help="a predefined access token with every scope Silta uses")
    p.add_argument("--order-every", type=float, default=0, help="place a random order every N seconds (demo)")
    p.add_argument(
        "--multi-shop",
        action="store_true",
        help="serve many stores under /shops/<name>/ (<name>.myshopify.com; created on first use or by "
        "POST /_sandbox/shops); --seed, --app and --token apply to every store",
    )
    args = p.parse_args(argv)
    if args.multi_shop and args.shop:
        p.error("--shop names one store; with --multi-shop the path /shops/<name>/ names each")

    settings: dict = {}
    if args.seed:
        settings["seed"] = {"products": args.products, "orders": args.orders, "seed": args.random_seed}
    if args.app:
        client_id, _, secret = args.app.partition(":")
        settings["apps"] = [{"client_id": client_id, "client_secret": secret}]
    if args.token:
        from .store import ALL_SCOPES

        settings["tokens"] = [{"access_token": args.token, "scope": ALL_SCOPES}]
    if args.multi_shop:
        multi = MultiShopApp(settings)
        server, url = start_in_thread(args.port, args.host, app=multi, quiet=False)
        stores: Callable[[], list[SandboxApp]] = lambda: list(multi.shops.values())  # noqa: E731
        print(f"Shopify sandbox (many stores) listening on {url}", flush=True)
        print(
            f"GraphQL: {url}/shops/<name>/admin/api/{API_VERSION}/graphql.json (<name>.myshopify.com)  "
            f"control: {url}/_sandbox/shops",
            flush=True,
        )
        print(
            "apps (every store): " + json.dumps(settings.get("apps") or DEFAULT_SETTINGS["apps"]), flush=True
        )
    else:
        settings["shop_domain"] = args.shop or DEFAULT_SETTINGS["shop_domain"]
        app = create_app(settings)
        server, url = start_in_thread(args.port, args.host, app=app, quiet=False)
        stores = lambda: [app]  # noqa: E731
        print(f"Shopify sandbox ({app.store.settings['shop_domain']}) listening on {url}", flush=True)
        print(
            f"GraphQL: {url}/admin/api/{app.store.settings['api_version']}/graphql.json  control: {url}/_sandbox/",
            flush=True,
        )
        print("apps: " + json.dumps(app.store.settings["apps"]), flush=True)
    if args.order_every > 0:

        def loop() -> None:
            rng = random.Random(args.random_seed + 1000)
            while True:
                time.sleep(args.order_every)
                for shop in stores():
                    if not shop.store.variants:  # a store created without a seed: nothing to sell
                        continue
                    try:
                        order = place_random_order(shop.store, rng)
                    except Exception as exc:  # noqa: BLE001 - e.g. a store without products
                        print(f"could not place an order: {exc}", flush=True)
                        continue
                    print(
                        f"placed order {order['name']} in {shop.store.settings['shop_domain']} "
                        f"({order['_total']} {order['currencyCode']})",
                        flush=True,
                    )

        threading.Thread(target=loop, daemon=True).start()
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()

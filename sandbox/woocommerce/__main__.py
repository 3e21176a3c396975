"""``python -m sandbox.woocommerce --port 8102 --seed`` runs the sandbox shop (``--multi-shop``: many shops)."""

from __future__ import annotations

import argparse
import json
import random
import threading
import time

from .app import create_app
from .multishop import MultiShopApp
from .seed import place_random_order
from .server import start_in_thread


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m sandbox.woocommerce", description="WooCommerce REST API v3 sandbox"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8102)
    p.add_argument("--seed", action="store_true", help="seed demo products and orders")
    p.add_argument("--products", type=int, default=200)
    p.add_argument("--orders", type=int, default=50)
    p.add_argument("--random-seed", type=int, default=1)
    p.add_argument("--key", default=None, help="predefined consumer_key:consumer_secret (read_write)")
    p.add_argument("--order-every", type=float, default=0, help="place a random order every N seconds (demo)")
    p.add_argument(
        "--multi-shop",
        action="store_true",
        help="serve many shops under /shops/<name>/ (created on first use or by POST /_sandbox/shops); "
        "--seed and --key apply to every shop",
    )
    args = p.parse_args(argv)

    settings: dict = {}
    if args.seed:
        settings["seed"] = {"products": args.products, "orders": args.orders, "seed": args.random_seed}
    if args.key:
        ck, _, cs = args.key.partition(":")
        settings["keys"] = [{"consumer_key": ck, "consumer_secret": cs, "permissions": "read_write"}]
    if args.multi_shop:
        app = MultiShopApp(settings)
        server, url = start_in_thread(args.port, args.host, app=app, quiet=False)
        print(f"WooCommerce sandbox listening on {url}", flush=True)
        print(f"REST API: {url}/shops/<name>/wp-json/wc/v3/  control: {url}/_sandbox/shops", flush=True)
        if settings.get("keys"):
            print("keys (every shop): " + json.dumps(settings["keys"]), flush=True)
    else:
        app = create_app(settings)
        server, url = start_in_thread(args.port, args.host, app=app, quiet=False)
        keys = [
            {k: v for k, v in key.items() if k in ("consumer_key", "consumer_secret", "permissions")}
            for key in app.state.keys.values()
        ]
        print(f"WooCommerce sandbox listening on {url}", flush=True)
        print(f"REST API: {url}/wp-json/wc/v3/  control: {url}/_sandbox/", flush=True)
        if keys:
            print("keys: " + json.dumps(keys), flush=True)
    if args.order_every > 0:

        def loop() -> None:
            rng = random.Random(args.random_seed + 1000)
            while True:
                time.sleep(args.order_every)
                states = [shop.state for shop in list(app.shops.values())] if args.multi_shop else [app.state]
                for state in states:
                    try:
                        o = place_random_order(state, rng)
                        print(f"placed order {o['id']} ({o['total']} {o['currency']})", flush=True)
                    except Exception as exc:  # noqa: BLE001
                        print(f"could not place order: {exc}", flush=True)

        threading.Thread(target=loop, daemon=True).start()
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()

"""A local stand-in for a WooCommerce shop's REST API v3 (``/wp-json/wc/v3``).

Run it::

    python -m sandbox.woocommerce --port 8102 --seed [--products 200 --orders 50]
        [--key ck_demo:cs_demo] [--order-every 20]

or in-process::

    from sandbox.woocommerce import create_app, start_in_thread
    server, base_url = start_in_thread(0, settings={"seed": {"products": 100}})
    app = server.app          # app.state is the shop state
    server.shutdown()

Multi-shop mode (many independent shops in one process, each like a WordPress site in a
subdirectory; ``--seed``/``--key`` apply to every shop)::

    python -m sandbox.woocommerce --multi-shop --port 8102 [--key ck_demo:cs_demo]

    GET  /_sandbox/shops                              [{name, url, products, orders}]
    POST /_sandbox/shops {name, seed?, settings?}     create (201) or reset (200) → {name, url}
    ANY  /shops/<name>/wp-json/… | /wc-auth/v1/… | /_sandbox/…   that shop (created on first use)

In-process: ``start_in_thread(0, app=MultiShopApp(settings))``. URLs a shop builds (``Link``,
``_links``, ``X-WC-Webhook-Source``) carry the ``/shops/<name>`` prefix; see ``multishop.py``.

See README.md in this directory for the control API (``/_sandbox/…``) and settings.
"""

from .app import SandboxApp, create_app
from .multishop import MultiShopApp
from .seed import place_random_order, seed_shop
from .server import serve, start_in_thread

__all__ = [
    "SandboxApp",
    "MultiShopApp",
    "create_app",
    "start_in_thread",
    "serve",
    "seed_shop",
    "place_random_order",
]

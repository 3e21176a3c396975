"""The processes a simulation runs beside itself: both sandboxes, gunicorn and a qcluster."""

import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import connection

from ..benchmarks.harness import free_port, wait_until_answering


@contextmanager
def process(args, env=None, ready=None, what=""):
    log = tempfile.NamedTemporaryFile(prefix="silta-sim-", suffix=".log", delete=False)
    child = subprocess.Popen(
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        if ready:
            wait_until_answering(ready, what)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
        log.close()


@contextmanager
def sandboxes(page_size: int):
    """eAccounting (companies made later) and a multi-shop WooCommerce; yields their URLs."""
    ea_port, wc_port = free_port(), free_port()
    ea_args = [
        "-m",
        "sandbox.eaccounting",
        "--port",
        str(ea_port),
        "--seed-articles",
        "0",
        "--set",
        f"page_size_max={page_size}",
        "--set",
        "rate_limit=1000000",
    ]
    ea, wc = f"http://127.0.0.1:{ea_port}", f"http://127.0.0.1:{wc_port}"
    with ExitStack() as stack:
        stack.enter_context(process(ea_args, ready=f"{ea}/_sandbox/", what="the eAccounting sandbox"))
        stack.enter_context(
            process(
                ["-m", "sandbox.woocommerce", "--multi-shop", "--port", str(wc_port)],
                ready=f"{wc}/_sandbox/",
                what="the WooCommerce sandbox",
            )
        )
        yield ea, wc


def child_env(base_url: str, workers: int, scale: float) -> dict:
    """Our settings as this process has them (the scaled budget included), for gunicorn and the cluster."""
    db = connection.settings_dict
    login = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    return {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SILTA_BASE_URL": base_url,
        "SILTA_ENCRYPTION_KEYS": ",".join(settings.SILTA_ENCRYPTION_KEYS),
        "EACCOUNTING_IDENTITY_URL": settings.EACCOUNTING_IDENTITY_URL,
        "EACCOUNTING_API_URL": settings.EACCOUNTING_API_URL,
        "EACCOUNTING_PAGE_SIZE": str(settings.EACCOUNTING_PAGE_SIZE),
        "EACCOUNTING_RATE_LIMIT": str(settings.EACCOUNTING_RATE_LIMIT),
        "EACCOUNTING_RATE_WINDOW": str(settings.EACCOUNTING_RATE_WINDOW),
        "Q_WORKERS": str(workers),
        "Q_POLL": "0.1",
        "LOG_LEVEL": "WARNING",
        "Q_SAVE_LIMIT": "0",  # every task's result kept: the report reads when each was queued
        "SILTA_ORDERS_QUEUE": settings.SILTA_ORDERS_QUEUE,
        # the poll's look-back is real time: scaled, so an order is polled again as often as in production
        "SILTA_ORDER_POLL_OVERLAP_SECONDS": str(
            max(1, round(settings.SILTA_ORDER_POLL_OVERLAP_SECONDS / scale))
        ),
        "SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS": str(
            max(1, round(settings.SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS / scale))
        ),
    }


@contextmanager
def portal(workers: int, order_workers: int, web_port: int, scale: float, clusters: int = 1):
    """gunicorn (the shop's webhooks arrive there), `clusters` qclusters with `workers` workers each
    on the default queue (as more machines on one database would run them) and, when
    `order_workers`, one for the orders queue (settings.SILTA_ORDERS_QUEUE) with that many."""
    base = f"http://127.0.0.1:{web_port}"
    env = child_env(base, workers, scale)
    with ExitStack() as stack:
        stack.enter_context(
            process(
                ["-m", "gunicorn", "-b", f"127.0.0.1:{web_port}", "-w", "2", "portal.wsgi"],
                env,
                ready=f"{base}/healthz",
                what="gunicorn",
            )
        )
        for _ in range(clusters):
            stack.enter_context(process(["manage.py", "qcluster"], env))
        if order_workers:
            orders_env = {
                **env,
                "Q_WORKERS": str(order_workers),
                "Q_CLUSTER_NAME": settings.SILTA_ORDERS_QUEUE,
            }
            stack.enter_context(process(["manage.py", "qcluster"], orders_env))
        yield base

"""Webhook records and delivery, as WooCommerce does it.

- On creation an active webhook gets a *ping*: POST, form-encoded body ``webhook_id=<id>``.
- Events are delivered from a background thread: POST of the resource's JSON (exactly the
  REST representation), headers ``X-WC-Webhook-Source/-Topic/-Resource/-Event/-Signature/
  -ID/-Delivery-ID``; signature = base64(HMAC-SHA256(raw body, secret)).
- A non-2xx answer or a connection error is a failed delivery; after
  ``webhook_max_failures`` (5) consecutive failures the webhook becomes ``disabled``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from .errors import ApiError
from .state import ShopState

TOPIC_HOOKS = {
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
    "customer.created": ["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}
STATUSES = ("active", "paused", "disabled")


def php_json(payload: Any) -> bytes:
    """JSON as PHP's ``wp_json_encode`` writes it: ASCII with ``\\uXXXX`` escapes and ``\\/``."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _valid_url(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^\s/]+", url) is not None


# ---------------------------------------------------------------------- records (state.lock held)
def apply_webhook(state: ShopState, w: dict, data: dict, creating: bool) -> None:
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    if "topic" in data or creating:
        topic = data.get("topic")
        if not isinstance(topic, str) or (topic not in TOPIC_HOOKS and not topic.startswith("action.")):
            raise ApiError(
                400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid."
            )
        w["topic"] = topic
        w["resource"], w["event"] = topic.split(".", 1)
        w["hooks"] = TOPIC_HOOKS.get(topic, [topic.split(".", 1)[1]])
    if "delivery_url" in data or creating:
        if not _valid_url(data.get("delivery_url")):
            raise ApiError(
                400,
                "woocommerce_rest_webhook_invalid_delivery_url",
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
            )
        w["delivery_url"] = data["delivery_url"]
    if "status" in data:
        if data["status"] not in STATUSES:
            raise ApiError(
                400, "rest_invalid_param", "Invalid parameter(s): status", params={"status": "invalid"}
            )
        if data["status"] == "active" and w.get("status") != "active":
            w["_failures"] = 0
        w["status"] = data["status"]
    if "name" in data:
        w["name"] = str(data["name"])
    if "secret" in data and data["secret"] is not None:
        w["_secret"] = str(data["secret"])
    if creating:
        w.setdefault("status", "active")
        w.setdefault("name", f"Webhook created on {state.local(state.now())}")
        w.setdefault("_secret", hashlib.md5(b"1|admin").hexdigest())
        w["_failures"] = 0
    w["_modified"] = state.now()


def create_webhook(state: ShopState, data: dict) -> dict:
    w: dict[str, Any] = {"id": None, "_created": state.now()}
    apply_webhook(state, w, data, creating=True)
    w["id"] = state.next_id()
    state.webhooks[w["id"]] = w
    return w


def get_webhook(state: ShopState, wid: int) -> dict:
    w = state.webhooks.get(wid)
    if w is None:
        raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
    return w


# ---------------------------------------------------------------------- delivery
class Dispatcher:
    def __init__(self, state: ShopState):
        self.state = state
        self.queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.session = requests.Session()

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wc-sandbox-webhooks", daemon=True)
                self._thread.start()

    def _headers(self, base: str) -> dict:
        wp = "6.7.1"
        return {"User-Agent": f"WooCommerce/{self.state.settings['wc_version']} Hookshot (WordPress/{wp})"}

    def emit(self, topic: str, payload_fn: Callable[[str], dict]) -> None:
        """Queue deliveries of ``topic`` to every active webhook (call with state.lock held)."""
        state = self.state
        targets = [w for w in state.webhooks.values() if w["topic"] == topic and w["status"] == "active"]
        state.bump("events:" + topic)
        if not targets:
            return
        base = state.base_url(getattr(state, "seen_host", None))
        body = php_json(payload_fn(base))
        for w in targets:
            self.queue.put((w["id"], topic, body, base))
        self._ensure_thread()

    def ping(self, wid: int) -> dict:
        """Deliver the creation ping (synchronously, like WooCommerce): ``webhook_id=<id>``."""
        with self.state.lock:
            w = self.state.webhooks[wid]
            url = w["delivery_url"]
            base = self.state.base_url(getattr(self.state, "seen_host", None))
        headers = self._headers(base)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        rec = {"webhook_id": wid, "topic": "ping", "url": url, "body": f"webhook_id={wid}"}
        try:
            r = self.session.post(
                url,
                data=f"webhook_id={wid}".encode(),
                headers=headers,
                timeout=self.state.settings["webhook_timeout"],
            )
            rec["status_code"] = r.status_code
        except requests.RequestException as exc:
            rec["status_code"] = None
            rec["error"] = str(exc)
        with self.state.lock:
            self.state.deliveries.append(rec)
            self.state.bump("webhook_pings")
        return rec

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until all queued deliveries are done (tests)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            try:
                self._deliver(*job)
            except Exception:  # noqa: BLE001 - a delivery bug must not kill the worker
                pass
            finally:
                self.queue.task_done()

    def _deliver(self, wid: int, topic: str, body: bytes, base: str) -> None:
        state = self.state
        retries = int(state.settings["webhook_retries"])
        for attempt in range(retries + 1):
            with state.lock:
                w = state.webhooks.get(wid)
                if w is None or w["status"] != "active":
                    return
                delivery_id = state.next_delivery_id()
                secret, url = w["_secret"], w["delivery_url"]
            resource, event = topic.split(".", 1)
            headers = self._headers(base)
            headers.update(
                {
                    "Content-Type": "application/json",
                    "X-WC-Webhook-Source": base + "/",
                    "X-WC-Webhook-Topic": topic,
                    "X-WC-Webhook-Resource": resource,
                    "X-WC-Webhook-Event": event,
                    "X-WC-Webhook-Signature": signature(body, secret),
                    "X-WC-Webhook-ID": str(wid),
                    "X-WC-Webhook-Delivery-ID": str(delivery_id),
                }
            )
            rec: dict[str, Any] = {
                "delivery_id": delivery_id,
                "webhook_id": wid,
                "topic": topic,
                "url": url,
                "attempt": attempt + 1,
            }
            started = time.monotonic()
            try:
                r = self.session.post(
                    url, data=body, headers=headers, timeout=state.settings["webhook_timeout"]
                )
                rec["status_code"] = r.status_code
                ok = 200 <= r.status_code < 300
            except requests.RequestException as exc:
                rec["status_code"] = None
                rec["error"] = str(exc)
                ok = False
            rec["duration"] = round(time.monotonic() - started, 4)
            with state.lock:
                state.deliveries.append(rec)
                state.bump("webhook_deliveries")
                w = state.webhooks.get(wid)
                if w is None:
                    return
                if ok:
                    w["_failures"] = 0
                    state.bump("webhook_deliveries_ok")
                    return
                state.bump("webhook_deliveries_failed")
                w["_failures"] = w.get("_failures", 0) + 1
                if w["_failures"] >= int(state.settings["webhook_max_failures"]):
                    w["status"] = "disabled"
                    return
            if attempt < retries:
                time.sleep(float(state.settings["webhook_retry_delay"]))

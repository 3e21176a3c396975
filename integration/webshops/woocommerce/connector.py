"""``WooCommerce(Webshop)``: the interface in terms of WooCommerce's REST API v3."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from ..base import (
    AuthenticationFailed,
    BatchOutcome,
    ItemRejected,
    NotFound,
    PaymentGateway,
    ProductWrite,
    ReadOnlyKey,
    ShippingMethod,
    ShopInfo,
    ShopOrder,
    ShopProduct,
    ShopRefund,
    ShopUnavailable,
    TaxRate,
    WebhookDelivery,
    WebhookInfo,
    Webshop,
    WebshopError,
)
from . import parse, webhooks
from .client import WooClient

log = logging.getLogger(__name__)

BATCH_SIZE = 100  # WooCommerce's default batch limit (create + update + delete items per request)
SKU_QUERY_CHUNK = 50  # SKUs per ?sku=a,b,c lookup


class WooCommerce(Webshop):
    platform = "woocommerce"

    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        client: WooClient | None = None,
        batch_size: int = BATCH_SIZE,
        **client_options: Any,
    ):
        """``client_options``: see ``WooClient`` (query_string_auth, oauth, timeout, max_attempts, backoff…)."""
        self.client = client or WooClient(base_url, consumer_key, consumer_secret, **client_options)
        self.batch_size = max(1, min(int(batch_size), BATCH_SIZE))

    # ------------------------------------------------------------------ connection
    def settings(self) -> ShopInfo:
        general = self.client.get("settings/general")
        tax = self.client.get("settings/tax")
        ans = self.client.request("GET", "products", params={"per_page": 1})
        total = ans.headers.get("X-WP-Total")
        count = int(total) if total is not None and str(total).isdigit() else len(ans.data or [])
        return parse.shop_info(general, tax, count)

    def test_connection(self) -> ShopInfo:
        """Three reads (settings, product count), then an empty product batch: WooCommerce checks
        the key's write permission for any POST before looking at the body; an empty batch
        changes nothing."""
        info = self.settings()
        try:
            self.client.request("POST", "products/batch", json={}, idempotent=True)
        except ReadOnlyKey:
            raise
        except AuthenticationFailed as exc:
            raise ReadOnlyKey(
                f"The API key may read but not change products: {exc.message}",
                status=exc.status,
                code=exc.code,
            ) from None
        return info

    # ------------------------------------------------------------------ products
    def products(self, modified_after: datetime | None = None) -> Iterator[ShopProduct]:
        """Products page by page (ordered by id), each variable product followed by its variations.

        With ``modified_after``: products modified after it, and of those that are variable, the
        variations modified after it. WooCommerce saves a variation's parent after the variation
        (its deferred product sync records the save in the parent's modified time), so a changed
        variation's parent is among the changed products: an incremental read costs requests in
        proportion to what changed, not one per variable product in the shop.
        """
        params: dict[str, Any] = {"orderby": "id", "order": "asc"}
        if modified_after is not None:
            params.update(modified_after=parse.format_gmt(modified_after), dates_are_gmt="true")
        for page in self.client.pages("products", params):
            for item in page:
                p = parse.product(item)
                yield p
                if p.type == "variable":
                    yield from self._variations(p, modified_after)

    def _variations(self, parent: ShopProduct, modified_after: datetime | None) -> Iterator[ShopProduct]:
        # the variations list documents no date filter: the changed parent's variations are filtered here
        for page in self.client.pages(f"products/{parent.id}/variations", {"orderby": "id", "order": "asc"}):
            for item in page:
                v = parse.variation(item, parent)
                if modified_after is None or (v.date_modified_gmt and v.date_modified_gmt > modified_after):
                    yield v

    def products_by_sku(self, skus: Iterable[str]) -> dict[str, ShopProduct]:
        """Products (and, where the shop's SKU filter includes them, variations) by SKU.

        SKUs containing a comma cannot be looked up (the filter takes a comma-separated list).
        """
        wanted = list(dict.fromkeys(s.strip() for s in skus if s and s.strip() and "," not in s))
        found: dict[str, ShopProduct] = {}
        for i in range(0, len(wanted), SKU_QUERY_CHUNK):
            chunk = wanted[i : i + SKU_QUERY_CHUNK]
            for page in self.client.pages(
                "products", {"sku": ",".join(chunk), "orderby": "id", "order": "asc"}
            ):
                for item in page:
                    p = parse.product(item)
                    if p.sku in chunk and p.sku not in found:
                        found[p.sku] = p
        return found

    def save_products(self, writes: list[ProductWrite]) -> list[BatchOutcome]:
        """Creates (``id`` None) and updates in batches of at most 100 per endpoint: products to
        ``products/batch``, variations (``parent_id`` set) to their parent's ``variations/batch``.

        Returns one outcome per write, in order; an item the shop refuses is reported with its
        SKU and does not stop the others. Raises ``ShopUnavailable`` when a batch gets no usable
        answer: ``exc.partial`` holds the outcomes known so far; with ``exc.outcome_unknown`` the
        creates of that batch (``exc.unknown_skus``) may or may not exist now.
        """
        outcomes: list[BatchOutcome | None] = [None] * len(writes)
        groups: dict[int | None, list[int]] = {}
        for i, w in enumerate(writes):
            groups.setdefault(w.parent_id or None, []).append(i)
        for parent_id, idxs in groups.items():
            for start in range(0, len(idxs), self.batch_size):
                self._send_batch(parent_id, idxs[start : start + self.batch_size], writes, outcomes)
        return [o for o in outcomes if o is not None]

    def _send_batch(
        self,
        parent_id: int | None,
        idxs: list[int],
        writes: list[ProductWrite],
        outcomes: list[BatchOutcome | None],
    ) -> None:
        is_variation = parent_id is not None
        path = f"products/{parent_id}/variations/batch" if is_variation else "products/batch"
        creates = [i for i in idxs if writes[i].id is None]
        updates = [i for i in idxs if writes[i].id is not None]
        body: dict[str, list] = {}
        if creates:
            body["create"] = [parse.write_body(writes[i], is_variation=is_variation) for i in creates]
        if updates:
            body["update"] = [parse.write_body(writes[i], is_variation=is_variation) for i in updates]
        try:
            ans = self.client.request("POST", path, json=body, idempotent=not creates)
        except ShopUnavailable as exc:
            raise ShopUnavailable(
                exc.message,
                status=exc.status,
                code=exc.code,
                outcome_unknown=exc.outcome_unknown,
                partial=[o for o in outcomes if o is not None],
                unknown_skus=[writes[i].sku for i in creates] if exc.outcome_unknown else [],
            ) from None
        except WebshopError as exc:
            if exc.status == 413 and len(idxs) > 1:  # the shop has a smaller batch limit
                half = len(idxs) // 2
                self.batch_size = max(1, min(self.batch_size, half))
                self._send_batch(parent_id, idxs[:half], writes, outcomes)
                self._send_batch(parent_id, idxs[half:], writes, outcomes)
                return
            if isinstance(exc, ItemRejected | NotFound):  # the whole request refused: each item fails so
                for i in idxs:
                    outcomes[i] = BatchOutcome(writes[i].sku, writes[i].id, False, exc)
                return
            raise
        data = ans.data if isinstance(ans.data, dict) else {}
        for key, group in (("create", creates), ("update", updates)):
            results = data.get(key) or []
            for n, i in enumerate(group):
                w = writes[i]
                r = results[n] if n < len(results) else None
                outcomes[i] = self._outcome(w, r, parent_id)

    @staticmethod
    def _outcome(w: ProductWrite, r: Any, parent_id: int | None) -> BatchOutcome:
        if not isinstance(r, dict):
            return BatchOutcome(w.sku, w.id, False, WebshopError(f"The shop gave no answer for {w.sku}."))
        err = r.get("error")
        if err:
            err = err if isinstance(err, dict) else {"message": str(err)}
            status = (err.get("data") or {}).get("status") if isinstance(err.get("data"), dict) else None
            message = parse_message(err.get("message"))
            what = "variation" if parent_id else "product"
            return BatchOutcome(
                w.sku,
                w.id,
                False,
                ItemRejected(
                    f"The shop refused {what} {w.sku or '(no SKU)'}: {message}",
                    status=status,
                    code=str(err.get("code") or ""),
                ),
            )
        product = parse.variation(r, parent_id=parent_id) if parent_id else parse.product(r)
        return BatchOutcome(w.sku, product.id, True, None, product)

    # ------------------------------------------------------------------ taxes, methods
    def tax_rates(self) -> list[TaxRate]:
        return [parse.tax_rate(r) for r in self.client.all("taxes")]

    def tax_classes(self) -> list[str]:
        data = self.client.get("taxes/classes")
        return [str(c.get("slug")) for c in data or [] if isinstance(c, dict) and c.get("slug")]

    def shipping_methods(self) -> list[ShippingMethod]:
        out = []
        for zone in self.client.get("shipping/zones") or []:
            for m in self.client.get(f"shipping/zones/{zone['id']}/methods") or []:
                out.append(parse.shipping_method(m, zone))
        return out

    def payment_gateways(self) -> list[PaymentGateway]:
        return [parse.payment_gateway(g) for g in self.client.get("payment_gateways") or []]

    # ------------------------------------------------------------------ orders
    def orders(
        self,
        statuses: Iterable[str] | None = None,
        modified_after: datetime | None = None,
        ids: Iterable[int] | None = None,
    ) -> Iterator[ShopOrder]:
        params: dict[str, Any] = {"orderby": "id", "order": "asc"}
        if statuses:
            params["status"] = ",".join(statuses)
        if ids is not None:
            params["include"] = ",".join(str(int(i)) for i in ids) or "0"
        if modified_after is not None:
            params.update(modified_after=parse.format_gmt(modified_after), dates_are_gmt="true")
        for page in self.client.pages("orders", params):
            for item in page:
                yield parse.order(item)

    def order(self, order_id: int) -> ShopOrder:
        return parse.order(self.client.get(f"orders/{int(order_id)}"))

    def refunds(self, order_id: int) -> list[ShopRefund]:
        return [parse.refund(r, order_id) for r in self.client.all(f"orders/{int(order_id)}/refunds")]

    def write_back(self, order_id: int, meta: dict, note: str | None = None) -> None:
        """Meta by key (an idempotent update); the note as a private order note, added once even
        when an answer is lost (the notes are read before sending it again)."""
        oid = int(order_id)
        if meta:
            self.client.request("PUT", f"orders/{oid}", json={"meta_data": _meta_items(meta)})
        if note:
            self._add_note(oid, note)

    def write_back_many(
        self, items: list[tuple[int, dict, str | None]], recheck: Iterable[int] = ()
    ) -> list[int]:
        failed: set[int] = set()
        recheck = {int(i) for i in recheck}
        with_meta = [(int(oid), meta) for oid, meta, _ in items if meta]
        for start in range(0, len(with_meta), self.batch_size):
            chunk = with_meta[start : start + self.batch_size]
            body = {"update": [{"id": oid, "meta_data": _meta_items(meta)} for oid, meta in chunk]}
            try:
                ans = self.client.request("POST", "orders/batch", json=body, idempotent=True)
            except ShopUnavailable:
                failed.update(oid for oid, _ in chunk)
                continue
            results = (ans.data if isinstance(ans.data, dict) else {}).get("update") or []
            failed.update(
                oid
                for (oid, _), r in zip(chunk, results, strict=False)
                if not isinstance(r, dict) or "error" in r
            )
        for oid, _, note in items:
            if note and int(oid) not in failed:
                try:
                    self._add_note(int(oid), note, look_first=int(oid) in recheck)
                except ShopUnavailable:
                    failed.add(int(oid))
        return sorted(failed)

    def _add_note(self, oid: int, note: str, look_first: bool = False) -> None:
        """Add a private note once: when an earlier try may have added it, the notes are read first."""
        body = {"note": note, "customer_note": False}
        if look_first and self._has_note(oid, note):
            return
        try:
            self.client.request("POST", f"orders/{oid}/notes", json=body)
        except ShopUnavailable as exc:
            if not exc.outcome_unknown:
                raise
            if self._has_note(oid, note):
                return
            self.client.request("POST", f"orders/{oid}/notes", json=body)

    def _has_note(self, oid: int, note: str) -> bool:
        notes = self.client.get(f"orders/{oid}/notes")
        return any(isinstance(n, dict) and n.get("note") == note for n in notes or [])

    # ------------------------------------------------------------------ webhooks
    def _webhooks_at(self, delivery_url: str) -> list[dict]:
        target = delivery_url.rstrip("/")
        return [
            w for w in self.client.all("webhooks") if str(w.get("delivery_url", "")).rstrip("/") == target
        ]

    def _create_webhook(self, delivery_url: str, secret: str, topic: str) -> WebhookInfo:
        body = {
            "name": f"Silta: {topic}",
            "topic": topic,
            "delivery_url": delivery_url,
            "secret": secret,
            "status": "active",
        }
        return parse.webhook(self.client.request("POST", "webhooks", json=body).data)

    def register_webhooks(self, delivery_url: str, secret: str, topics: Iterable[str]) -> list[WebhookInfo]:
        """One active webhook per topic at ``delivery_url`` with ``secret``: existing ones are
        updated (secret, active), missing ones created (WooCommerce then pings the URL)."""
        existing = self._webhooks_at(delivery_url)
        out = []
        for topic in topics:
            mine = [w for w in existing if w.get("topic") == topic]
            if mine:
                ans = self.client.request(
                    "PUT", f"webhooks/{mine[0]['id']}", json={"secret": secret, "status": "active"}
                )
                out.append(parse.webhook(ans.data))
            else:
                out.append(self._create_webhook(delivery_url, secret, topic))
        return out

    def check_webhooks(self, delivery_url: str, secret: str, topics: Iterable[str]) -> list[str]:
        existing = self._webhooks_at(delivery_url)
        done: list[str] = []
        for topic in topics:
            mine = sorted((w for w in existing if w.get("topic") == topic), key=lambda w: int(w["id"]))
            if not mine:
                info = self._create_webhook(delivery_url, secret, topic)
                done.append(f"Recreated the missing webhook for {topic} (id {info.id}).")
                continue
            first, extra = mine[0], mine[1:]
            if first.get("status") != "active":
                self.client.request(
                    "PUT", f"webhooks/{first['id']}", json={"secret": secret, "status": "active"}
                )
                done.append(
                    f"Re-enabled the webhook for {topic} (id {first['id']}); it was {first.get('status')}."
                )
            for w in extra:
                self._delete_webhook(int(w["id"]))
                done.append(f"Removed a duplicate webhook for {topic} (id {w['id']}).")
        return done

    def remove_webhooks(self, delivery_url: str) -> int:
        n = 0
        for w in self._webhooks_at(delivery_url):
            if self._delete_webhook(int(w["id"])):
                n += 1
        return n

    def _delete_webhook(self, wid: int) -> bool:
        try:
            self.client.request("DELETE", f"webhooks/{wid}", params={"force": "true"})
        except NotFound:
            return False
        return True

    def verify_delivery(self, headers: Mapping[str, str], body: bytes, secret: str) -> WebhookDelivery:
        return webhooks.verify(headers, body, secret)

    def is_echo(self, payload: dict) -> bool:
        return isinstance(payload, dict) and parse.matches_sync_hash(payload)


def parse_message(message: Any) -> str:
    import re

    return re.sub(r"<[^>]+>", "", str(message or "")).strip()


def _meta_items(meta: dict) -> list[dict]:
    return [{"key": str(k), "value": v if isinstance(v, str) else str(v)} for k, v in meta.items()]

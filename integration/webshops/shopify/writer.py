"""The write side of the Shopify connector: products as drafts, prices, SKUs, stock, and the
eAccounting document number on the order. Every field sent is in the committed contract.

- A new product: ``productCreate`` (title, status DRAFT unless the write says otherwise) makes the
  product with its one initial variant; ``productVariantsBulkUpdate`` then gives that variant its
  SKU, price and tracking (productCreate takes no variant fields in 2026-01). The new variants are
  read back once for the whole batch, and their stock set by ``stock.set_stock`` from the quantity
  the new item has (0) in calls of ``stock.BATCH`` items (``_stock_of_created``).
- An update: ``productVariantsBulkUpdate`` for price, SKU and tracking; stock by compare-and-set
  from the quantity just read, so a sale in between is not overwritten (the write is refused).
- The order: ``orderUpdate`` adds metafields in the namespace ``silta`` (added, never replacing the
  shop's others); a note REPLACES the order's note, so the current note is read first and ours is
  appended only when it is not there yet — a repeat after a lost answer changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from ..base import (
    BatchOutcome,
    NotFound,
    NotSupported,
    ProductWrite,
    ShopProduct,
    ShopUnavailable,
    WebshopError,
)
from . import stock
from .client import ShopifyClient

META_NAMESPACE = "silta"
META_TYPE = "single_line_text_field"

PRODUCT_CREATE = """mutation createProduct($product: ProductCreateInput) {
  productCreate(product: $product) {
    product { id variants(first: 1) { nodes { id } } } userErrors { field message } } }"""

VARIANTS_UPDATE = """mutation updateVariants($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id } userErrors { code field message } } }"""

ORDER_NOTE = """query orderNote($id: ID!) { order(id: $id) { id note } }"""

ORDER_UPDATE = """mutation writeBack($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } } }"""

ORDER_META = """query orderMeta($id: ID!, $key: String!) {
  order(id: $id) { id metafield(namespace: "silta", key: $key) { value } } }"""

STATUSES = {"draft": "DRAFT", "publish": "ACTIVE", "active": "ACTIVE", "archived": "ARCHIVED"}


def product_gid(n: int) -> str:
    return f"gid://shopify/Product/{n}"


def variant_gid(n: int) -> str:
    return f"gid://shopify/ProductVariant/{n}"


def order_gid(n: int) -> str:
    return f"gid://shopify/Order/{n}"


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


class ShopifyWriter:
    """Needs ``self.client`` and ``self.location()`` / ``self.products_by_sku()`` (the reader's)."""

    client: ShopifyClient

    if TYPE_CHECKING:  # the reader's, in ShopifyWebshop

        def location(self) -> str: ...

        def products_by_sku(self, skus: Iterable[str]) -> dict[str, ShopProduct]: ...

    # ------------------------------------------------------------------ products
    def save_products(self, writes: list[ProductWrite]) -> list[BatchOutcome]:
        outcomes: list[BatchOutcome] = []
        current = self.products_by_sku(w.sku for w in writes if w.id is not None)
        for w in writes:
            try:
                if w.id is None:
                    self._create(w)
                else:
                    self._update(w, current.get(w.sku))
            except ShopUnavailable as exc:
                unknown = [w.sku] if exc.outcome_unknown and w.id is None else []
                raise ShopUnavailable(
                    exc.message,
                    status=exc.status,
                    code=exc.code,
                    outcome_unknown=exc.outcome_unknown,
                    partial=self._with_copies(outcomes),
                    unknown_skus=unknown,
                ) from exc
            except WebshopError as exc:
                outcomes.append(BatchOutcome(sku=w.sku, id=w.id, ok=False, error=exc))
                continue
            outcomes.append(BatchOutcome(sku=w.sku, id=w.id, ok=True))
        return self._stock_of_created(self._with_copies(outcomes), writes)

    def _with_copies(self, outcomes: list[BatchOutcome]) -> list[BatchOutcome]:
        """The shop's copy after the writes (one read for all), and the new variants' ids."""
        ok = [o for o in outcomes if o.ok and o.product is None]
        if ok:
            copies = self.products_by_sku(o.sku for o in ok)
            for o in ok:
                o.product = copies.get(o.sku)
                if o.product is not None:
                    o.id = o.product.id
        return outcomes

    def _create(self, w: ProductWrite) -> None:
        if w.parent_id is not None:
            raise NotSupported("Silta does not add variants to an existing Shopify product.")
        status = STATUSES.get((w.status or "draft").lower(), "DRAFT")
        payload = self.client.mutate(
            PRODUCT_CREATE,
            {"product": {"title": w.name or w.sku, "status": status}},
            payload="productCreate",
        )
        product = payload.get("product") or {}
        variants = ((product.get("variants") or {}).get("nodes")) or []
        if not product.get("id") or not variants:
            raise WebshopError(f"Shopify created no product for {w.sku}.")
        self._update_variant(str(product["id"]), str(variants[0]["id"]), w, new=True)
        # its stock: after every create of the batch, in calls of stock.BATCH (_stock_of_created)

    def _update(self, w: ProductWrite, copy: ShopProduct | None) -> None:
        if copy is None:
            raise NotFound(f"The variant with SKU {w.sku} is no longer in the Shopify store.")
        if w.status is not None and STATUSES.get(w.status.lower()) != copy.status.upper():
            raise NotSupported("Silta does not change a Shopify product's status yet (hide or bring back).")
        self._update_variant(product_gid(copy.parent_id or 0), variant_gid(copy.id), w, new=False)
        if w.stock_quantity is not None and (
            w.manage_stock or (w.manage_stock is None and copy.manage_stock)
        ):
            item = str(copy.meta.get("inventory_item_id") or "")
            expected = copy.stock_quantity if copy.stock_quantity is not None else 0
            self._set_stock(item, expected, w)

    def _update_variant(self, product_id: str, variant_id: str, w: ProductWrite, *, new: bool) -> None:
        variant: dict = {"id": variant_id}
        if w.regular_price is not None:
            variant["price"] = _money(w.regular_price)
        if w.tax_status is not None:
            variant["taxable"] = w.tax_status != "none"
        item: dict = {}
        if new or w.sku:
            item["sku"] = w.sku
        if w.manage_stock is not None:
            item["tracked"] = bool(w.manage_stock)
        if item:
            variant["inventoryItem"] = item
        if len(variant) > 1:
            self.client.mutate(
                VARIANTS_UPDATE,
                {"productId": product_id, "variants": [variant]},
                payload="productVariantsBulkUpdate",
            )

    def _stock_of_created(
        self, outcomes: list[BatchOutcome], writes: list[ProductWrite]
    ) -> list[BatchOutcome]:
        """The stock of the products just created, from the copies read back for all of them, in
        ``inventorySetQuantities`` calls of ``stock.BATCH``: not a read and a call per product
        (10,000 new products: 200 + 100 requests instead of 20,000). A quantity refused here leaves
        the product created (its outcome stays ok, so its link is kept and it is never created
        twice) and its copy with the stock Shopify holds (0), which the sync keeps as the shop's
        state: the stock reconcile, comparing every item, sees the difference and sets it."""
        wanted = {
            w.sku: w for w in writes if w.id is None and w.manage_stock and w.stock_quantity is not None
        }
        changes: list[stock.StockChange] = []
        targets: dict[str, tuple[BatchOutcome, int]] = {}
        for o in outcomes:
            w = wanted.get(o.sku)
            if w is None or not o.ok or o.product is None:
                continue
            item = str(o.product.meta.get("inventory_item_id") or "")
            expected, quantity = o.product.stock_quantity or 0, int(w.stock_quantity or 0)
            if item and quantity != expected:
                changes.append(
                    stock.StockChange(inventory_item_id=item, expected=expected, quantity=quantity)
                )
                targets[item] = (o, quantity)
        if not changes:
            return outcomes
        try:
            results = stock.set_stock(self.client, self.location(), changes)
        except ShopUnavailable as exc:  # every product is created: only (some of) their stock is in doubt
            raise ShopUnavailable(
                exc.message,
                status=exc.status,
                code=exc.code,
                outcome_unknown=exc.outcome_unknown,
                partial=outcomes,
            ) from exc
        for item, (o, quantity) in targets.items():
            if results.get(item, (None, ""))[0] is stock.StockOutcome.SET and o.product is not None:
                o.product = dataclasses.replace(o.product, stock_quantity=quantity)
        return outcomes

    def _set_stock(self, item: str, expected: int, w: ProductWrite) -> None:
        quantity = int(w.stock_quantity or 0)
        if quantity == expected:
            return
        change = stock.StockChange(inventory_item_id=item, expected=expected, quantity=quantity)
        outcome, words = stock.set_stock(self.client, self.location(), [change])[item]
        if outcome is stock.StockOutcome.STALE:
            raise WebshopError(
                f"The stock of {w.sku} changed in the Shopify store while Silta was updating it; "
                "Silta will read it again and try once more.",
                code="CHANGE_FROM_QUANTITY_STALE",
            )
        if outcome is not stock.StockOutcome.SET:
            raise WebshopError(f"Shopify refused the stock of {w.sku}: {words}", code="stock_refused")

    # ------------------------------------------------------------------ orders
    def write_back(self, order_id: int, meta: dict, note: str | None = None) -> None:
        gid = order_gid(order_id)
        fields: dict = {"id": gid}
        if meta:
            fields["metafields"] = [
                {"namespace": META_NAMESPACE, "key": _key(k), "type": META_TYPE, "value": str(v)}
                for k, v in meta.items()
            ]
        if note:
            found = self.client.query(ORDER_NOTE, {"id": gid}).get("order")
            if found is None:
                raise NotFound(f"Order {order_id} is not in the Shopify store.")
            existing = str(found.get("note") or "")
            if note not in existing:
                fields["note"] = f"{existing}\n{note}" if existing else note
        if len(fields) > 1:
            self.client.mutate(ORDER_UPDATE, {"input": fields}, payload="orderUpdate")

    def write_back_many(
        self, items: list[tuple[int, dict, str | None]], recheck: Iterable[int] = ()
    ) -> list[int]:
        """One orderUpdate per order (metafields upsert by namespace and key, and the note is read
        before it is appended, so every order is safe to repeat: ``recheck`` needs nothing more)."""
        failed: list[int] = []
        for order_id, meta, note in items:
            try:
                self.write_back(order_id, meta, note)
            except WebshopError:
                failed.append(order_id)
        return failed

    def written_back(self, order_id: int, key: str) -> str | None:
        """The value Silta stored under ``key`` on the order (None: not written)."""
        found = self.client.query(ORDER_META, {"id": order_gid(order_id), "key": _key(key)}).get("order")
        if found is None:
            raise NotFound(f"Order {order_id} is not in the Shopify store.")
        field = found.get("metafield")
        return str(field["value"]) if field else None


def _key(meta_key: str) -> str:
    """A metafield key: 2-64 letters, digits, '-' and '_' (the reference's rule)."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in meta_key.strip("_"))[:64]
    return cleaned if len(cleaned) >= 2 else f"k_{cleaned}"

"""The write side of the Shopify connector: products as drafts, prices, SKUs, stock, hiding and
bringing back, and the eAccounting document number on the order. Every field sent is in the
committed contract.

- A new product: one ``productSet`` (no ``id``, no ``identifier``: a create) makes the product
  with its one variant, its SKU, price, tracking and stock at the shop's location, all or nothing.
  So when the answer is lost after Shopify committed, the product is there with its SKU, and the
  SKU is what settles the doubt, as for WooCommerce: the write raises ``ShopUnavailable`` naming
  the SKU (``unknown_skus``) and the next sync finds the product by its SKU and links it instead of
  creating it again (``article_plan``: an unlinked article whose number a shop product has is
  adopted). ``productCreate`` took no variant fields, so a lost answer used to leave a product
  without a SKU that nothing could find (docs/shopify-unknowns.md P2).
- An update: ``productVariantsBulkUpdate`` for price, SKU and tracking; stock by compare-and-set
  from the quantity just read, so a sale in between is not overwritten (the write is refused).
- Hiding and bringing back: the write's ``status`` (``draft`` to hide, the status before hiding to
  bring back) by ``productUpdate`` with the status only: texts, images and the other variants'
  fields are never sent. A product is never deleted. Shopify has the status on the product, not
  the variant: a product with other variants is not hidden for one of them (the owner decides).
- The order: ``orderUpdate`` adds metafields in the namespace ``silta`` (added, never replacing the
  shop's others); a note REPLACES the order's note, so the current note is read first and ours is
  appended only when it is not there yet — a repeat after a lost answer changes nothing.
"""

from __future__ import annotations

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

PRODUCT_SET = """mutation createProduct($input: ProductSetInput!) {
  productSet(input: $input, synchronous: true) {
    product { id variants(first: 1) { nodes { id } } } userErrors { field message } } }"""

PRODUCT_STATUS = """mutation productStatus($product: ProductUpdateInput) {
  productUpdate(product: $product) { product { id status } userErrors { field message } } }"""

PRODUCT_VARIANTS = """query productVariants($query: String) {
  productVariants(first: 2, query: $query) { nodes { id } } }"""

# Every product has at least one option; a product without options has this one (Shopify's default).
OPTION, OPTION_VALUE = "Title", "Default Title"

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
        return self._with_copies(outcomes)

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
        variant: dict = {
            "optionValues": [{"optionName": OPTION, "name": OPTION_VALUE}],
            "sku": w.sku,
        }
        if w.regular_price is not None:
            variant["price"] = _money(w.regular_price)
        if w.tax_status is not None:
            variant["taxable"] = w.tax_status != "none"
        if w.manage_stock is not None:
            variant["inventoryItem"] = {"tracked": bool(w.manage_stock)}
        if w.manage_stock and w.stock_quantity is not None:
            variant["inventoryQuantities"] = [
                {"locationId": self.location(), "name": "available", "quantity": int(w.stock_quantity)}
            ]
        payload = self.client.mutate(
            PRODUCT_SET,
            {
                "input": {
                    "title": w.name or w.sku,
                    "status": status,
                    "productOptions": [{"name": OPTION, "values": [{"name": OPTION_VALUE}]}],
                    "variants": [variant],
                }
            },
            payload="productSet",
        )
        product = payload.get("product") or {}
        if not product.get("id") or not ((product.get("variants") or {}).get("nodes")):
            raise WebshopError(f"Shopify created no product for {w.sku}.")

    def _update(self, w: ProductWrite, copy: ShopProduct | None) -> None:
        if copy is None:
            raise NotFound(f"The variant with SKU {w.sku} is no longer in the Shopify store.")
        self._update_variant(product_gid(copy.parent_id or 0), variant_gid(copy.id), w, copy)
        if w.stock_quantity is not None and (
            w.manage_stock or (w.manage_stock is None and copy.manage_stock)
        ):
            item = str(copy.meta.get("inventory_item_id") or "")
            expected = copy.stock_quantity if copy.stock_quantity is not None else 0
            self._set_stock(item, expected, w)
        if w.status is not None:
            self._set_status(w, copy)

    def _set_status(self, w: ProductWrite, copy: ShopProduct) -> None:
        """Hide (draft) or bring back (the status it had): the product's status only."""
        status = STATUSES.get(w.status.lower()) if w.status else None
        if status is None:
            raise NotSupported(f"Shopify has no product status {w.status!r}.")
        if status == copy.status.upper():
            return
        product_id = copy.parent_id or 0
        found = self.client.query(PRODUCT_VARIANTS, {"query": f"product_id:{product_id}"})
        if len(((found.get("productVariants") or {}).get("nodes")) or []) > 1:
            raise NotSupported(
                f"The Shopify product of {w.sku} has other variants too: Silta does not change the status "
                "of the whole product for one of them. Hide or show it in Shopify yourself."
            )
        self.client.mutate(
            PRODUCT_STATUS,
            {"product": {"id": product_gid(product_id), "status": status}},
            payload="productUpdate",
        )

    def _update_variant(self, product_id: str, variant_id: str, w: ProductWrite, copy: ShopProduct) -> None:
        """Only what differs from the shop's copy: a write that changes nothing sends nothing (no
        products/update delivery either, so a hide is one delivery showing the whole new state)."""
        variant: dict = {"id": variant_id}
        if w.regular_price is not None and copy.regular_price != w.regular_price:
            variant["price"] = _money(w.regular_price)
        if w.tax_status is not None and (w.tax_status != "none") != (copy.tax_status != "none"):
            variant["taxable"] = w.tax_status != "none"
        item: dict = {}
        if w.sku and w.sku != copy.sku:
            item["sku"] = w.sku
        if w.manage_stock is not None and bool(w.manage_stock) != copy.manage_stock:
            item["tracked"] = bool(w.manage_stock)
        if item:
            variant["inventoryItem"] = item
        if len(variant) > 1:
            self.client.mutate(
                VARIANTS_UPDATE,
                {"productId": product_id, "variants": [variant]},
                payload="productVariantsBulkUpdate",
            )

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

"""Stock at the store's location, set only from the quantity Silta expects to replace.

``inventorySetQuantities`` sets absolute quantities with compare-and-set: each quantity carries
``changeFromQuantity``, the ``available`` quantity Silta last read; when a sale happened in
between, Shopify refuses that quantity (CHANGE_FROM_QUANTITY_STALE) and nothing is overwritten:
the caller reads the item again and decides anew. One refused quantity refuses the whole call
(docs/shopify-unknowns.md S6), so the others are sent again without it. A repeat after a lost
answer is harmless for the same reason: the first call's change makes the repeat stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .client import ShopifyClient, UserErrors

SET_QUANTITIES = """mutation setStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { id } userErrors { code field message } } }"""
REASON = "correction"
BATCH = 100


@dataclass(frozen=True)
class StockChange:
    inventory_item_id: str
    expected: int  # the available quantity Silta read and means to replace
    quantity: int


class StockOutcome(StrEnum):
    SET = "set"
    STALE = "stale"  # changed in the shop since Silta read it: read again
    REFUSED = "refused"  # another user error (unknown item, not stocked at the location, …)


def set_stock(
    client: ShopifyClient, location_id: str, changes: Sequence[StockChange], *, reference: str | None = None
) -> dict[str, tuple[StockOutcome, str]]:
    """Per inventory item: the outcome and Shopify's words (empty when set)."""
    out: dict[str, tuple[StockOutcome, str]] = {}
    for start in range(0, len(changes), BATCH):
        pending = list(changes[start : start + BATCH])
        while pending:
            quantities = [
                {
                    "inventoryItemId": c.inventory_item_id,
                    "locationId": location_id,
                    "quantity": c.quantity,
                    "changeFromQuantity": c.expected,
                }
                for c in pending
            ]
            payload = {"name": "available", "reason": REASON, "quantities": quantities}
            if reference:
                payload["referenceDocumentUri"] = reference
            try:
                client.mutate(SET_QUANTITIES, {"input": payload}, payload="inventorySetQuantities")
            except UserErrors as exc:
                refused: set[int] = set()
                for err in exc.errors:
                    index = _index(err.field)
                    if index is None or index >= len(pending):
                        continue
                    kind = (
                        StockOutcome.STALE
                        if err.code == "CHANGE_FROM_QUANTITY_STALE"
                        else StockOutcome.REFUSED
                    )
                    out[pending[index].inventory_item_id] = (kind, err.message)
                    refused.add(index)
                if not refused:  # an error Silta cannot place on one item: the whole batch is refused
                    for c in pending:
                        out[c.inventory_item_id] = (StockOutcome.REFUSED, exc.errors[0].message)
                    break
                pending = [c for i, c in enumerate(pending) if i not in refused]
                continue
            for c in pending:
                out[c.inventory_item_id] = (StockOutcome.SET, "")
            break
    return out


def _index(field: tuple[str, ...]) -> int | None:
    """The quantity's position in a user error's field path (["input", "quantities", "2", …])."""
    if len(field) >= 3 and field[1] == "quantities" and field[2].isdigit():
        return int(field[2])
    return None

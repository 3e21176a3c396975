"""What Silta wrote to a shop product, as one hash: the test for "this webhook is our own echo".

One function for both platforms: ``owned_hash`` over the owned values (``base.OWNED_PRODUCT_FIELDS``
in the interface's words), each in a canonical form, written as ``v1:<fields>:<digest>`` so that
a later check knows which fields to take from what the shop shows. WooCommerce keeps the hash of
each write in the product's meta (it comes back in the webhook: ``woocommerce.parse``); Shopify's
product webhooks carry no metafields Silta could rely on, so its check hashes the link's last
written values (``echo.py``) — the same function either way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .amounts import amount

VERSION = "v1"


def normalised(field_name: str, value: Any) -> Any:
    """One owned value in a canonical form, as written or as the shop shows it back."""
    if field_name in ("sku", "name", "tax_status", "status"):
        return "" if value is None else str(value).strip()
    if field_name == "regular_price":
        if value is None or value == "":
            return ""
        return format(amount(value).normalize(), "f")
    if field_name == "tax_class":
        return "" if value in (None, "", "standard") else str(value)
    if field_name == "manage_stock":
        return value is True
    if field_name == "stock_quantity":
        return None if value is None else int(value)
    raise KeyError(field_name)


def digest(values: Mapping[str, Any]) -> str:
    text = json.dumps(dict(values), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def canonical(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values in canonical form (``meta.<key>`` entries as strings); untracked stock is no stock."""
    out = {k: str(v) if k.startswith("meta.") else normalised(k, v) for k, v in values.items()}
    if out.get("manage_stock") is False:
        out["stock_quantity"] = None  # covered even when not written: a stock the shop keeps is no change
    return out


def owned_hash(values: Mapping[str, Any]) -> str:
    """``v1:<fields>:<digest>`` over owned values (``meta.<key>`` for meta entries)."""
    fields = canonical(values)
    return f"{VERSION}:{','.join(sorted(fields))}:{digest(fields)}"


def fields_of(stored: Any) -> list[str] | None:
    """The fields a stored hash covers; None when it is no hash of ours."""
    if not isinstance(stored, str) or stored.count(":") < 2:
        return None
    version, fields_csv, _ = stored.split(":", 2)
    return [f for f in fields_csv.split(",") if f] if version == VERSION else None

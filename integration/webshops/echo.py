"""Is a product webhook Silta's own echo? The write it reports shows exactly what Silta last wrote.

Two places the last write is known, one hash (``written.owned_hash``): a platform that carries the
write's hash in the product (WooCommerce's meta) says so itself (``Webshop.is_echo``); for one whose
payload does not (Shopify), the connector says which linked items the payload shows with which
owned values (``Webshop.shown_values``) and they are compared with each link's last written values
(``ArticleLink.last_written``; a hidden link was last written as a draft). An item Silta has not
linked does not count; a payload with no linked item, or one differing value, is not an echo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import ArticleLink, Tenant
from . import written
from .base import Webshop

HIDDEN_STATUS = "draft"  # the status a hide writes (article_plan.DRAFT)


def is_echo(tenant: Tenant, shop: Webshop, payload: dict) -> bool:
    if shop.is_echo(payload):
        return True
    try:
        shown = shop.shown_values(payload)
    except (KeyError, TypeError, ValueError):  # a payload not of the documented shape
        return False
    if not shown:
        return False
    links = {
        link.shop_product_id: link
        for link in ArticleLink.objects.filter(tenant=tenant, shop_product_id__in=list(shown)).order_by()
    }
    return bool(links) and all(_as_written(links[pid], shown[pid]) for pid in links)


def _as_written(link: ArticleLink, shown: Mapping[str, Any]) -> bool:
    last: dict[str, Any] = dict(link.last_written or {})
    if link.hidden:
        last["status"] = HIDDEN_STATUS
    fields = [f for f in shown if f in last]
    if not fields:
        return False
    try:
        return written.owned_hash({f: last[f] for f in fields}) == written.owned_hash(
            {f: shown[f] for f in fields}
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return False

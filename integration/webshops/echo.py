"""Is a product webhook Silta's own echo? The write it reports shows exactly what Silta last wrote.

Two places the last write is known, one hash (``written.owned_hash``): a platform that carries the
write's hash in the product (WooCommerce's meta) says so itself (``Webshop.is_echo``); for one whose
payload does not (Shopify), the connector says which linked items the payload shows with which
owned values (``Webshop.shown_values``) and they are compared with each link's last written values
(``ArticleLink.last_written``; a hidden link was last written as a draft). An item Silta has not
linked does not count; a payload with no linked item, or one differing value, is not an echo.

The link is stored after the write, and the shop's delivery may come first: so the sync says what
it is about to write to linked items (``expect``), kept for ``EXPECTED_SECONDS`` in the cache, and
a delivery showing that counts too. A cache that lost it only costs a sync (no echo: safe).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache import cache

from ..models import ArticleLink, Tenant
from . import written
from .base import Webshop

HIDDEN_STATUS = "draft"  # the status a hide writes (article_plan.DRAFT)
EXPECTED_SECONDS = 600  # far longer than a batch's writes and their deliveries take


def _key(tenant_id: int, product_id: int) -> str:
    return f"silta:echo:{tenant_id}:{product_id}"


def state(values: Mapping[str, Any], hidden: bool) -> dict[str, Any]:
    """The owned values a link holds, with the status a hidden one was written with."""
    out = dict(values or {})
    if hidden:
        out["status"] = HIDDEN_STATUS
    return out


def expect(tenant: Tenant, shop: Webshop, writes: Iterable[tuple[int, Mapping[str, Any], bool]]) -> None:
    """Before writing: (shop product id, owned values, hidden) of each linked item about to be written
    (only for a platform whose echoes are told by the links: ``Webshop.echo_by_link``)."""
    if not shop.echo_by_link:
        return
    entries = {_key(tenant.pk, pid): state(values, hidden) for pid, values, hidden in writes}
    if entries:
        cache.set_many(entries, EXPECTED_SECONDS)


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
        link.shop_product_id: state(link.last_written, link.hidden)
        for link in ArticleLink.objects.filter(tenant=tenant, shop_product_id__in=list(shown)).order_by()
    }
    if not links:
        return False
    expected = cache.get_many([_key(tenant.pk, pid) for pid in links])
    return all(
        _as_written(last, shown[pid]) or _as_written(expected.get(_key(tenant.pk, pid)), shown[pid])
        for pid, last in links.items()
    )


def _as_written(last: Mapping[str, Any] | None, shown: Mapping[str, Any]) -> bool:
    if not last:
        return False
    fields = [f for f in shown if f in last]
    if not fields:
        return False
    try:
        return written.owned_hash({f: last[f] for f in fields}) == written.owned_hash(
            {f: shown[f] for f in fields}
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return False

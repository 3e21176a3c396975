"""A Shopify store's permanent address: ``<name>.myshopify.com`` (pure).

The install flow's ``shop`` parameter and the address an owner types are checked here before
Silta sends anything: a name of letters, digits and hyphens under ``myshopify.com``, nothing else
(no port, path, user info or other domain), so a forged callback cannot point Silta elsewhere.
"""

from __future__ import annotations

import re

SUFFIX = ".myshopify.com"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class NotAShopDomain(ValueError):
    """The text is not a ``<name>.myshopify.com`` address."""


def shop_domain(value: str) -> str:
    """The normalised domain (lower case, no scheme or trailing slash) or ``NotAShopDomain``."""
    text = (value or "").strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
    text = text.rstrip("/")
    if not text.endswith(SUFFIX):
        raise NotAShopDomain(value)
    name = text[: -len(SUFFIX)]
    if not _NAME.match(name) or name.endswith("-"):
        raise NotAShopDomain(value)
    return text


def is_shop_domain(value: str) -> bool:
    try:
        shop_domain(value)
    except NotAShopDomain:
        return False
    return True

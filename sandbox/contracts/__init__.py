"""The outside systems' contracts, as data kept in the repository (see README.md beside this file).

Everything that checks traffic against eAccounting or WooCommerce loads from here, never from a
path outside the repository. `python -m sandbox.contracts.refresh` re-derives these files from
the published references when a copy of them is at hand.
"""

import json
from functools import cache
from pathlib import Path

DIR = Path(__file__).resolve().parent
EACCOUNTING_OPENAPI = DIR / "eaccounting" / "openapi-v2.json"
WOOCOMMERCE = DIR / "woocommerce"


def eaccounting_openapi() -> dict:
    """Visma eAccounting API v2 (OpenAPI 3.1): the operations Silta uses, prose stripped. A fresh copy."""
    return json.loads(EACCOUNTING_OPENAPI.read_text(encoding="utf-8"))


@cache
def woocommerce_page(page: str) -> dict:
    """One WooCommerce REST API v3 reference page (``"products"``): its sections, example JSON and
    property tables. Cached: do not modify the result."""
    name = page.removesuffix(".md").removesuffix(".json")
    return json.loads((WOOCOMMERCE / f"{name}.json").read_text(encoding="utf-8"))

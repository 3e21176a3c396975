"""The executable schema: ``schema.graphql`` with resolvers over a ``Store``.

Fields without a resolver here are read from the record dicts by graphql-core's default resolver.
The store is passed as the execution's ``context_value``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema

from . import bulk, webhooks
from .money import money_string
from .store import QUANTITY_NAMES, Store, gid, gid_number, iso

SDL_PATH = Path(__file__).with_name("schema.graphql")


# ---------------------------------------------------------------------- paging
def _cursor(record_id: str) -> str:
    return base64.b64encode(json.dumps({"last_id": record_id}).encode()).decode()


def _after(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return str(json.loads(base64.b64decode(cursor))["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def paginate(store: Store, records: list[dict], args: dict) -> dict:
    """A connection page (edges, nodes, pageInfo) over ``records`` in their order."""
    first, last = args.get("first"), args.get("last")
    if store.bulk_mode and first is None and last is None:  # a bulk query reads whole connections
        return {
            "edges": [{"cursor": _cursor(r["id"]), "node": r} for r in records],
            "nodes": records,
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
        }
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    limit = int(store.settings["max_page_size"])
    for name, n in (("first", first), ("last", last)):
        if n is not None and (n < 0 or n > limit):
            raise GraphQLError(f"The {name} argument must be between 0 and {limit}.")
    if args.get("reverse"):
        records = list(reversed(records))
    ids = [r["id"] for r in records]
    start, end = 0, len(records)
    after, before = _after(args.get("after")), _after(args.get("before"))
    if after is not None:
        start = ids.index(after) + 1 if after in ids else len(ids)
    if before is not None:
        end = ids.index(before) if before in ids else end
    window = records[start:end]
    if first is not None:
        page = window[:first]
        has_next, has_previous = len(window) > first, start > 0
    else:
        page = window[max(0, len(window) - int(last or 0)) :]
        has_next, has_previous = end < len(records), len(window) > len(page)
    return {
        "edges": [{"cursor": _cursor(r["id"]), "node": r} for r in page],
        "nodes": page,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": _cursor(page[0]["id"]) if page else None,
            "endCursor": _cursor(page[-1]["id"]) if page else None,
        },
    }


# ---------------------------------------------------------------------- search syntax
# Shopify's search syntax, the part Silta uses: ``field:value`` terms joined by spaces (AND), with
# comparisons for dates and ids: ``updated_at:>'2026-01-01T00:00:00Z'``, ``sku:ABC-1``, and ``OR``.
TERM = re.compile(r"(\w+):(<=|>=|<|>)?('[^']*'|\"[^\"]*\"|\S+)")


def _compare(left: Any, op: str, right: Any) -> bool:
    return {
        "": left == right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


def _as_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def matches(record: dict, query: str | None, fields: dict[str, Callable[[dict], Any]]) -> bool:
    """Terms joined by spaces must all hold; alternatives joined by ``OR`` any one."""
    alternatives = re.split(r"\s+OR\s+", query or "")
    return any(_all_terms(record, alt, fields) for alt in alternatives)


def _all_terms(record: dict, query: str, fields: dict[str, Callable[[dict], Any]]) -> bool:
    for name, op, raw in TERM.findall(query):
        value = raw.strip("'\"")
        getter = fields.get(name)
        if getter is None:
            continue  # Shopify ignores a term it does not know (and says so in a warning)
        actual = getter(record)
        if name.endswith("_at"):
            if not _compare(_as_time(actual), op, _as_time(value)):
                return False
        elif name == "id":
            if not _compare(gid_number(actual, record["id"].split("/")[3]) or 0, op, int(value)):
                return False
        elif op:
            return False
        elif str(actual).lower() != value.lower():
            return False
    return True


def _indexed(store: Store, record: dict, args: dict) -> bool:
    """A search (``query``) sees a change only ``search_lag_seconds`` after it (docs/shopify-unknowns.md
    P6); a listing without ``query`` sees everything at once."""
    lag = float(store.settings["search_lag_seconds"] or 0)
    if not lag or not args.get("query"):
        return True
    return (store.now() - _as_time(record["updatedAt"])).total_seconds() >= lag


# ---------------------------------------------------------------------- resolvers
def _store(info: Any) -> Store:
    return info.context


def _products(_root: Any, info: Any, **args: Any) -> dict:
    store = _store(info)
    fields = {
        "updated_at": lambda r: r["updatedAt"],
        "status": lambda r: r["status"],
        "id": lambda r: r["id"],
        "title": lambda r: r["title"],
        "sku": lambda r: next((store.variants[v]["sku"] for v in r["_variant_ids"]), None),
    }
    records = [
        p
        for p in store.products.values()
        if matches(p, args.get("query"), fields) and _indexed(store, p, args)
    ]
    return paginate(store, records, args)


def _variants(_root: Any, info: Any, **args: Any) -> dict:
    store = _store(info)
    fields = {
        "sku": lambda r: r["sku"],
        "updated_at": lambda r: r["updatedAt"],
        "id": lambda r: r["id"],
        "product_id": lambda r: str(gid_number(r["_product_id"], "Product")),
    }
    records = [
        v
        for v in store.variants.values()
        if matches(v, args.get("query"), fields) and _indexed(store, v, args)
    ]
    return paginate(store, records, args)


def _orders(_root: Any, info: Any, **args: Any) -> dict:
    store = _store(info)
    fields = {
        "updated_at": lambda r: r["updatedAt"],
        "created_at": lambda r: r["createdAt"],
        "id": lambda r: r["id"],
        "name": lambda r: r["name"],
        "financial_status": lambda r: (r["displayFinancialStatus"] or "").lower(),
    }
    records = [o for o in store.orders.values() if matches(o, args.get("query"), fields)]
    key = args.get("sortKey") or "ID"
    if key in ("UPDATED_AT", "CREATED_AT", "PROCESSED_AT"):
        attr = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt", "PROCESSED_AT": "processedAt"}[key]
        records.sort(key=lambda o: (o[attr], gid_number(o["id"], "Order") or 0))
    return paginate(store, records, args)


def _order(_root: Any, info: Any, id: str) -> dict | None:  # noqa: A002 - the argument's name
    return _store(info).orders.get(id)


def _locations(_root: Any, info: Any, **args: Any) -> dict:
    store = _store(info)
    return paginate(store, list(store.locations.values()), args)


def _inventory_item(_root: Any, info: Any, id: str) -> dict | None:  # noqa: A002
    return _store(info).items.get(id)


def _product_variants(product: dict, info: Any, **args: Any) -> dict:
    store = _store(info)
    return paginate(store, [store.variants[v] for v in product["_variant_ids"]], args)


def _level(item: dict, info: Any, locationId: str) -> dict | None:  # noqa: N803 - GraphQL's name
    store = _store(info)
    if locationId not in item["_levels"]:
        return None
    n = gid_number(item["id"], "InventoryItem")
    return {
        "id": f"{gid('InventoryLevel', n or 0)}?inventory_item_id={n}",
        "location": store.locations[locationId],
        "_quantities": item["_levels"][locationId],
    }


def _quantities(level: dict, _info: Any, names: list[str]) -> list[dict]:
    unknown = [n for n in names if n not in QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(f"Invalid quantity names: {', '.join(unknown)}")
    return [{"name": n, "quantity": int(level["_quantities"].get(n, 0))} for n in names]


def _redacted(info: Any) -> bool:
    """The app is not approved for the buyer's name, address, phone and e-mail (docs/shopify-unknowns.md
    P4): the sandbox answers them as null."""
    return _store(info).settings["protected_customer_data"] == "redacted"


def _list_first(attr: str) -> Callable[..., list]:
    def resolve(parent: dict, _info: Any, first: int | None = None) -> list:
        items = parent[attr]
        return items[:first] if first is not None else items

    return resolve


def _connection_of(attr: str) -> Callable[..., dict]:
    def resolve(parent: dict, info: Any, **args: Any) -> dict:
        return paginate(_store(info), parent[attr], args)

    return resolve


def _inventory_set_quantities(_root: Any, info: Any, input: dict) -> dict:  # noqa: A002
    """Absolute quantities with compare-and-set: an explicit changeFromQuantity (even null) wins
    over compareQuantity and ignoreCompareQuantity; null opts out of the check."""
    store = _store(info)
    errors: list[dict] = []
    name = input["name"]
    if name not in ("available", "on_hand"):
        errors.append(
            _user_error(
                "INVALID_NAME",
                ["input", "name"],
                "The quantity name must be either 'available' or 'on_hand'.",
            )
        )
    checked = []
    for i, q in enumerate(input["quantities"]):
        path = ["input", "quantities", str(i)]
        item = store.items.get(q["inventoryItemId"])
        if item is None:
            errors.append(
                _user_error(
                    "INVALID_INVENTORY_ITEM",
                    [*path, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                )
            )
            continue
        if q["locationId"] not in store.locations:
            errors.append(
                _user_error(
                    "INVALID_LOCATION", [*path, "locationId"], "The specified location could not be found."
                )
            )
            continue
        level = item["_levels"].get(q["locationId"])
        if level is None:
            errors.append(
                _user_error(
                    "ITEM_NOT_STOCKED_AT_LOCATION",
                    [*path, "locationId"],
                    "The specified inventory item is not stocked at the location.",
                )
            )
            continue
        if q["quantity"] < 0:
            errors.append(
                _user_error(
                    "INVALID_QUANTITY_NEGATIVE", [*path, "quantity"], "The quantity can't be negative."
                )
            )
            continue
        current = int(level.get(name, 0))
        if "changeFromQuantity" in q:
            expected = q["changeFromQuantity"]
            if expected is not None and expected != current:
                errors.append(
                    _user_error(
                        "CHANGE_FROM_QUANTITY_STALE",
                        [*path, "changeFromQuantity"],
                        "The changeFromQuantity value does not match persisted value.",
                    )
                )
                continue
        elif not input.get("ignoreCompareQuantity"):
            if q.get("compareQuantity") is None:
                errors.append(
                    _user_error(
                        "COMPARE_QUANTITY_REQUIRED",
                        [*path, "compareQuantity"],
                        "The compareQuantity argument must be given to each quantity or ignored "
                        "using ignoreCompareQuantity.",
                    )
                )
                continue
            if q["compareQuantity"] != current:
                errors.append(
                    _user_error(
                        "COMPARE_QUANTITY_STALE",
                        [*path, "compareQuantity"],
                        "The compareQuantity value does not match persisted value.",
                    )
                )
                continue
        checked.append((level, q["quantity"], current))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}  # all or nothing
    for level, quantity, current in checked:
        delta = quantity - current
        level[name] = quantity
        other = "on_hand" if name == "available" else "available"
        level[other] = int(level.get(other, 0)) + delta
    group = {
        "id": gid("InventoryAdjustmentGroup", store.new_id()),
        "createdAt": iso(store.now()),
        "reason": input["reason"],
    }
    store.groups[group["id"]] = group
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


def _user_error(code: str, field: list[str], message: str) -> dict:
    return {"code": code, "field": field, "message": message}


# ---------------------------------------------------------------------- the write side
def _product_create(_root: Any, info: Any, product: dict | None = None) -> dict:
    """A product with its one initial variant (no SKU, price 0, not tracked), as Shopify's
    productCreate makes it; prices and SKUs then come by productVariantsBulkUpdate."""
    store = _store(info)
    product = product or {}
    title = (product.get("title") or "").strip()
    if not title:
        return {
            "product": None,
            "shop": store.shop(),
            "userErrors": [_plain_error(["title"], "Title can't be blank")],
        }
    record = store.add_product(
        title, [{"sku": None, "price": "0", "quantity": None}], status=product.get("status") or "ACTIVE"
    )
    record["_metafields"] = _metafields({}, product.get("metafields"))
    return {"product": record, "shop": store.shop(), "userErrors": []}


def _product_set(_root: Any, info: Any, input: dict, synchronous: bool = True) -> dict:  # noqa: A002
    """A new product with its variants, SKUs, prices, tracking and stock in one step (all or
    nothing), as productSet creates one without ``id``/``identifier``; no products/update delivery
    (a new product's topic is products/create, which Silta does not subscribe to)."""
    store = _store(info)
    title = (input.get("title") or "").strip()
    errors = [] if title else [_plain_error(["input", "title"], "Title can't be blank")]
    variants = input.get("variants") or [{"optionValues": []}]
    if input.get("variants") is not None and not input.get("productOptions"):
        errors.append(_plain_error(["input", "productOptions"], "Options are required with variants"))
    for i, v in enumerate(variants):
        if v.get("price") is not None and Decimal(str(v["price"])) < 0:
            errors.append(_plain_error(["input", "variants", str(i), "price"], "Price must be at least 0"))
        for q in v.get("inventoryQuantities") or []:
            if q["locationId"] not in store.locations or q["name"] not in ("available", "on_hand"):
                field = ["input", "variants", str(i), "inventoryQuantities"]
                errors.append(_plain_error(field, "Inventory quantities are invalid"))
    if errors:
        return {"product": None, "userErrors": errors}
    given = []
    for v in variants:
        item = v.get("inventoryItem") or {}
        quantities = {q["locationId"]: int(q["quantity"]) for q in v.get("inventoryQuantities") or []}
        tracked = bool(item.get("tracked")) or bool(quantities)
        given.append(
            {
                "sku": v.get("sku") if v.get("sku") is not None else item.get("sku"),
                "price": str(v.get("price") or "0"),
                "quantity": quantities.get(store.primary_location, 0) if tracked else None,
                "title": " / ".join(str(o.get("name") or "") for o in v.get("optionValues") or []) or None,
                "taxable": v.get("taxable"),
            }
        )
    record = store.add_product(title, given, status=input.get("status") or "ACTIVE")
    return {"product": record, "userErrors": []}


def _product_update(_root: Any, info: Any, product: dict | None = None) -> dict:
    """Only the fields given change (Silta sends ``status``); a products/update delivery follows."""
    store = _store(info)
    product = product or {}
    record = store.products.get(product.get("id") or "")
    if record is None:
        return {"product": None, "userErrors": [_plain_error(["id"], "Product does not exist")]}
    if product.get("status") is not None:
        record["status"] = product["status"]
    record["updatedAt"] = iso(store.now())
    if store.settings["product_change_touches_variants"]:  # S8
        for vid in record["_variant_ids"]:
            store.variants[vid]["updatedAt"] = record["updatedAt"]
    store.hooks.emit("PRODUCTS_UPDATE", _product_payload(store, record))
    return {"product": record, "userErrors": []}


def _variants_bulk_update(
    _root: Any,
    info: Any,
    productId: str,  # noqa: N803 - GraphQL's name
    variants: list[dict],
    allowPartialUpdates: bool = False,  # noqa: N803
) -> dict:
    """All or nothing (allowPartialUpdates false, the default): one refused variant refuses the call."""
    store = _store(info)
    product = store.products.get(productId)
    if product is None:
        error = _user_error("PRODUCT_DOES_NOT_EXIST", ["productId"], "Product does not exist")
        return {"product": None, "productVariants": None, "userErrors": [error]}
    errors = []
    for i, v in enumerate(variants):
        path = ["variants", str(i)]
        if v.get("id") not in product["_variant_ids"]:
            errors.append(
                _user_error("MUST_BE_FOR_THIS_PRODUCT", [*path, "id"], "Input must be for this product.")
            )
        elif v.get("price") is not None and Decimal(str(v["price"])) < 0:
            errors.append(
                _user_error(
                    "GREATER_THAN_OR_EQUAL_TO", [*path, "price"], "Price must be greater than or equal to 0"
                )
            )
    if errors:
        return {"product": None, "productVariants": None, "userErrors": errors}
    now = iso(store.now())
    changed = []
    for v in variants:
        record = store.variants[v["id"]]
        if v.get("price") is not None:
            record["price"] = money_string(Decimal(str(v["price"])))
        if v.get("taxable") is not None:
            record["taxable"] = bool(v["taxable"])
        item_input = v.get("inventoryItem") or {}
        item = store.items[record["_item_id"]]
        if "sku" in item_input:
            record["sku"] = item["sku"] = item_input["sku"]
        if item_input.get("tracked") is not None:
            item["tracked"] = bool(item_input["tracked"])
        record["updatedAt"] = now
        changed.append(record)
    product["updatedAt"] = now
    store.hooks.emit("PRODUCTS_UPDATE", _product_payload(store, product))
    return {"product": product, "productVariants": changed, "userErrors": []}


def _product_payload(store: Store, product: dict) -> dict:
    """The products/update body: the REST Product resource's shape (the fields of
    sandbox/contracts/shopify/webhook-products-update.json), prices as decimal strings."""
    variants = []
    for vid in product["_variant_ids"]:
        v = store.variants[vid]
        item = store.items[v["_item_id"]]
        variants.append(
            {
                **webhooks.payload_of("variant", v),
                "product_id": webhooks.payload_of("product", product)["id"],
                "title": v["title"],
                "sku": v["sku"] or "",
                "price": v["price"],
                "taxable": v["taxable"],
                "inventory_management": "shopify" if item["tracked"] else None,
                "inventory_item_id": webhooks.payload_of("item", item)["id"],
                "inventory_quantity": sum(lvl.get("available", 0) for lvl in item["_levels"].values()),
                "updated_at": v["updatedAt"],
            }
        )
    return {
        **webhooks.payload_of("product", product),
        "title": product["title"],
        "handle": product["handle"],
        "status": str(product["status"]).lower(),
        "updated_at": product["updatedAt"],
        "variants": variants,
    }


def _order_update(_root: Any, info: Any, input: dict) -> dict:  # noqa: A002
    """Metafields are added (replacing one with the same namespace and key); a note replaces the note."""
    store = _store(info)
    order = store.orders.get(input["id"])
    if order is None:
        return {"order": None, "userErrors": [_plain_error(["id"], "Order does not exist")]}
    for i, m in enumerate(input.get("metafields") or []):
        if not m.get("namespace") or not m.get("key") or m.get("value") is None or not m.get("type"):
            field = ["metafields", str(i)]
            return {
                "order": None,
                "userErrors": [_plain_error(field, "Namespace, key, type and value are required")],
            }
    order["_metafields"] = _metafields(order.get("_metafields") or {}, input.get("metafields"))
    if "note" in input:
        order["note"] = input["note"]
    order["updatedAt"] = iso(store.now())
    store.hooks.emit("ORDERS_UPDATED", webhooks.payload_of("order", order))
    return {"order": order, "userErrors": []}


def _subscription_create(_root: Any, info: Any, topic: str, webhookSubscription: dict) -> dict:  # noqa: N803
    """An HTTPS endpoint per topic; the same topic and uri again is refused (Shopify's words)."""
    store = _store(info)
    uri = str(webhookSubscription.get("uri") or "")
    if not uri.startswith(("https://", "http://")):
        error = _plain_error(["webhookSubscription", "uri"], "Address is invalid")
        return {"webhookSubscription": None, "userErrors": [error]}
    if any(s["topic"] == topic and s["uri"] == uri for s in store.subscriptions.values()):
        error = _plain_error(["webhookSubscription", "uri"], "Address for this topic has already been taken")
        return {"webhookSubscription": None, "userErrors": [error]}
    now = iso(store.now())
    sub = {
        "id": gid("WebhookSubscription", store.new_id()),
        "topic": topic,
        "uri": uri,
        "includeFields": list(webhookSubscription.get("includeFields") or []),
        "metafieldNamespaces": list(webhookSubscription.get("metafieldNamespaces") or []),
        "createdAt": now,
        "updatedAt": now,
    }
    store.subscriptions[sub["id"]] = sub
    return {"webhookSubscription": sub, "userErrors": []}


def _subscription_delete(_root: Any, info: Any, id: str) -> dict:  # noqa: A002
    store = _store(info)
    if store.subscriptions.pop(id, None) is None:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [_plain_error(["id"], "Webhook subscription does not exist")],
        }
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


def _subscriptions(_root: Any, info: Any, topics: list[str] | None = None, **args: Any) -> dict:
    store = _store(info)
    subs = [s for s in store.subscriptions.values() if not topics or s["topic"] in topics]
    return paginate(store, subs, args)


def _metafields(existing: dict, given: list[dict] | None) -> dict:
    out = dict(existing)
    for m in given or []:
        out[(m["namespace"], m["key"])] = {
            "id": f"gid://shopify/Metafield/{abs(hash((m['namespace'], m['key']))) % 10**9}",
            "namespace": m["namespace"],
            "key": m["key"],
            "type": m["type"],
            "value": str(m["value"]),
        }
    return out


def _metafield(owner: dict, _info: Any, key: str, namespace: str | None = None) -> dict | None:
    return (owner.get("_metafields") or {}).get((namespace or "$app", key))


def _plain_error(field: list[str], message: str) -> dict:
    return {"field": field, "message": message}


RESOLVERS: dict[str, Callable[..., Any]] = {
    "QueryRoot.shop": lambda _r, info: _store(info).shop(),
    "QueryRoot.products": _products,
    "QueryRoot.productVariants": _variants,
    "QueryRoot.orders": _orders,
    "QueryRoot.order": _order,
    "QueryRoot.locations": _locations,
    "QueryRoot.inventoryItem": _inventory_item,
    "Product.variants": _product_variants,
    "ProductVariant.product": lambda v, info: _store(info).products[v["_product_id"]],
    "ProductVariant.inventoryItem": lambda v, info: _store(info).items[v["_item_id"]],
    "ProductVariant.inventoryQuantity": lambda v, info: sum(
        lvl.get("available", 0) for lvl in _store(info).items[v["_item_id"]]["_levels"].values()
    ),
    "InventoryItem.inventoryLevel": _level,
    "InventoryLevel.quantities": _quantities,
    "Order.email": lambda o, info: None if _redacted(info) else o.get("email"),
    "Order.billingAddress": lambda o, info: None if _redacted(info) else o.get("billingAddress"),
    "Order.lineItems": _connection_of("_line_items"),
    "Order.shippingLines": _connection_of("_shipping_lines"),
    "Order.refunds": _list_first("refunds"),
    "Order.transactions": _list_first("transactions"),
    "LineItem.taxLines": _list_first("taxLines"),
    "LineItem.variant": lambda li, info: _store(info).variants.get(li["_variant_id"]),
    "Refund.refundLineItems": _connection_of("_refund_line_items"),
    "Refund.refundShippingLines": _connection_of("_refund_shipping_lines"),
    "Refund.transactions": _connection_of("_transactions"),
    "Mutation.inventorySetQuantities": _inventory_set_quantities,
    "Mutation.productCreate": _product_create,
    "Mutation.productSet": _product_set,
    "Mutation.productUpdate": _product_update,
    "Mutation.productVariantsBulkUpdate": _variants_bulk_update,
    "Mutation.orderUpdate": _order_update,
    "Order.metafield": _metafield,
    "Mutation.webhookSubscriptionCreate": _subscription_create,
    "Mutation.webhookSubscriptionDelete": _subscription_delete,
    "QueryRoot.webhookSubscriptions": _subscriptions,
    "Mutation.bulkOperationRunQuery": lambda _r, info, query: bulk.run(
        _store(info), info.schema, query, _store(info).base_url
    ),
    "QueryRoot.currentBulkOperation": lambda _r, info, type="QUERY": next(  # noqa: A002 - GraphQL's name
        (
            bulk.view(op, _store(info))
            for op in reversed(_store(info).bulk_operations)
            if op["type"] == (type or "QUERY")
        ),
        None,
    ),
}

# Which access scope a root field needs (https://shopify.dev/docs/api/usage/access-scopes).
SCOPES: dict[str, tuple[str, ...]] = {
    "products": ("read_products", "write_products"),
    "productVariants": ("read_products", "write_products"),
    "inventoryItem": ("read_inventory", "write_inventory"),
    "orders": ("read_orders",),
    "order": ("read_orders",),
    "locations": ("read_locations",),
    "inventorySetQuantities": ("write_inventory",),
    "productCreate": ("write_products",),
    "productSet": ("write_products",),
    "productUpdate": ("write_products",),
    "productVariantsBulkUpdate": ("write_products",),
    "orderUpdate": ("write_orders",),
    # Subscriptions need the scope of the topic's resource; the sandbox asks for none beyond a token.
    "currentBulkOperation": ("read_products", "read_orders", "read_inventory"),
}


def build() -> GraphQLSchema:
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    for path, resolver in RESOLVERS.items():
        type_name, field_name = path.split(".")
        type_ = schema.get_type(type_name)
        type_.fields[field_name].resolve = resolver  # type: ignore[union-attr]
    return schema


def all_fields(schema: GraphQLSchema) -> Iterable[tuple[str, str]]:
    """(type, field) of every object and input field the sandbox serves."""
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or not hasattr(type_, "fields"):
            continue
        for field in type_.fields:  # type: ignore[union-attr]
            yield name, field

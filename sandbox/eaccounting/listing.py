"""Paged list responses with $filter, $orderby, $page, $pagesize."""

import math

from . import schemas
from .http import ApiError
from .odata import Filter, ODataError, field_kinds, parse_orderby, sort_items

_KINDS = {}


def kinds_for(schema_name):
    if schema_name not in _KINDS:
        _KINDS[schema_name] = field_kinds(schemas.props(schema_name))
    return _KINDS[schema_name]


def _int_arg(args, name, default):
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, 6000, f"{name} must be an integer.") from None
    if value < 1:
        raise ApiError(400, 6000, f"{name} must be 1 or more.")
    return value


def paginate(ctx, schema_name, items, view, computed=(), unverified=()):
    """items: stored dicts; view(obj) -> emitted dict; computed: fields only present in views."""
    state, args = ctx.state, ctx.request.args
    kinds = kinds_for(schema_name)
    page = _int_arg(args, "$page", 1)
    size = min(
        _int_arg(args, "$pagesize", state.settings["page_size_default"]), state.settings["page_size_max"]
    )
    try:
        flt = Filter(args["$filter"], kinds) if args.get("$filter") else None
        order = parse_orderby(args["$orderby"], kinds) if args.get("$orderby") else None
    except ODataError as e:
        raise ApiError(400, e.code, e.message) from None
    used = (flt.fields if flt else set()) | {k for k, _ in order or []}
    if flt and state.settings["unverified_filters_rejected"]:
        bad = flt.fields & set(unverified)
        if flt.uses_or or bad:
            raise ApiError(
                400, 6000, f"Unsupported $filter ({'or' if flt.uses_or else ', '.join(sorted(bad))})."
            )
    items = list(items)
    # The next page of the same listing reuses the rows until a write (State.changed): a full read
    # in pages is linear, not a filter and sort of everything per page. The length guards against
    # items added to the state directly (tests seed that way).
    key = (
        ctx.company.id if ctx.company else None,
        schema_name,
        args.get("$filter"),
        args.get("$orderby"),
        len(items),
    )
    cached = state.listings.get(key)
    if cached is None:
        cached = state.listings[key] = _rows(items, view, flt, order, kinds, computed, used)
    rows, views = cached
    total = len(rows)
    chunk = rows[(page - 1) * size : page * size]
    data = chunk if views else [view(o) for o in chunk]
    meta = {
        "CurrentPage": page,
        "PageSize": size,
        "TotalNumberOfPages": math.ceil(total / size),
        "TotalNumberOfResults": total,
        "ServerTimeUtc": state.now_str(),
    }
    return {"Meta": meta, "Data": data}


def _rows(items, view, flt, order, kinds, computed, used):
    """The filtered, sorted rows and whether they are views already (a filter or order on a computed field)."""
    views = bool(used & set(computed))
    rows = [view(o) for o in items] if views else items
    try:
        if flt:
            rows = [o for o in rows if flt.matches(o)]
        if order:
            rows = sort_items(rows, order, kinds)
    except ODataError as e:
        raise ApiError(400, e.code, e.message) from None
    return rows, views

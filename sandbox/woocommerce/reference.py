"""The WooCommerce REST API v3 reference, as data, and JSON shape comparison.

The reference pages are kept in the repository as ``sandbox/contracts/woocommerce/<page>.json``
(derived from the published Markdown pages by ``python -m sandbox.contracts.refresh``): each page's
``##`` sections in order, with the section's example JSON blocks and its property tables.
:func:`example` returns a section's example (for a request and response pair, the response);
:func:`shape_diff` / :func:`assert_same_shape` compare an actual response with it: the same keys,
and the same JSON types, recursively. :func:`documented_keys`, :func:`parameters` and
:func:`properties` read the property tables. Reusable by the WooCommerce client tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from sandbox.contracts import woocommerce_page

__all__ = [
    "examples",
    "example",
    "documented_keys",
    "parameters",
    "properties",
    "undocumented_keys",
    "json_type",
    "shape_diff",
    "assert_same_shape",
]


def _sections(page: str) -> list[dict]:
    return woocommerce_page(page)["sections"]


@cache
def examples(page: str) -> dict[str, list[Any]]:
    """All parseable ``json`` blocks of a reference page, keyed by ``##`` section title.

    ``page`` is the page's name (``"products"``; a ``.md`` suffix is accepted).
    """
    out: dict[str, list[Any]] = {}
    for section in _sections(page):
        if section["examples"]:
            out.setdefault(section["title"], []).extend(section["examples"])
    return out


def example(page: str, section: str, index: int = -1) -> Any:
    """The example response of ``section`` (case-insensitive prefix match on the title).

    ``index`` picks among several blocks in one section (default: the last,
    which is the response when a request body example precedes it).
    """
    ex = examples(page)
    wanted = section.lower()
    for title, blocks in ex.items():
        if title.lower() == wanted:
            return blocks[index]
    for title, blocks in ex.items():
        if title.lower().startswith(wanted) or wanted in title.lower():
            return blocks[index]
    raise KeyError(f"no JSON example for {section!r} in {page}; sections: {list(ex)}")


@cache
def documented_keys(page: str) -> frozenset[str]:
    """Every attribute named in the page's property tables, plus every key of its example JSON."""
    keys: set[str] = {row["name"] for s in _sections(page) for t in s["tables"] for row in t["rows"]}

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            keys.update(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for blocks in examples(page).values():
        for b in blocks:
            walk(b)
    return frozenset(keys)


_FIELD = re.compile(r"[a-z_]+")


def _table_names(page: str, section: str, heading: str | None) -> set[str]:
    """Field names (lower case) of the first table under ``heading`` in ``section``
    (``heading`` None: the table right under the section's title)."""
    for s in _sections(page):
        if s["title"] == section:
            for t in s["tables"]:
                if t["heading"] == heading:
                    return {r["name"] for r in t["rows"] if _FIELD.fullmatch(r["name"])}
            break
    raise KeyError(f"no table under {heading or section!r} in {page}")


def parameters(page: str, section: str) -> set[str]:
    """The query parameters the reference lists for an endpoint (``"List all products"``)."""
    return _table_names(page, section, "Available parameters")


def properties(page: str, section: str) -> set[str]:
    """The top-level attributes of a resource's property table (``"Product properties"``)."""
    return _table_names(page, section, None)


def undocumented_keys(
    page: str, value: Any, maps: Iterable[str] = ("settings", "options", "_links")
) -> set[str]:
    """Keys in ``value`` (recursively) that the reference page never names.

    Keys directly inside the ``maps`` objects are data (setting ids, option values, link relations)
    and are not checked; ``_links`` is skipped entirely.
    """
    allowed = documented_keys(page)
    bad: set[str] = set()

    def walk(v: Any, parent: str | None) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "_links":
                    continue
                if parent not in maps and k not in allowed:
                    bad.add(k)
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, parent)

    walk(value, None)
    return bad


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _matches(pattern: str, path: str) -> bool:
    """``pattern`` like ``settings.*`` or ``line_items[].meta_data``; ``*`` = any one segment."""
    regex = re.escape(pattern).replace(r"\*", r"[^.\[\]]+")
    return re.fullmatch(regex, path) is not None


def shape_diff(
    expected: Any,
    actual: Any,
    path: str = "",
    *,
    null_ok: bool = True,
    open_maps: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[str]:
    """Differences in shape between ``expected`` (reference example) and ``actual``.

    - objects: the same keys (missing and extra keys reported), values compared recursively;
    - arrays: every element of ``actual`` compared with the closest element of ``expected``;
      an empty array on either side is accepted;
    - ``null`` on either side accepted when ``null_ok`` (documented nullable dates etc.);
    - ``open_maps``: paths of objects keyed by data (e.g. ``settings``) — only common keys
      are compared (a key absent from the example: against its closest value);
    - ``ignore``: paths not compared at all.
    Paths look like ``line_items[].taxes[].total``.
    """
    open_maps = tuple(open_maps)
    ignore = tuple(ignore)
    kw = {"null_ok": null_ok, "open_maps": open_maps, "ignore": ignore}
    if any(_matches(p, path) for p in ignore):
        return []
    et, at = json_type(expected), json_type(actual)
    if et == "null" or at == "null":
        if null_ok or et == at:
            return []
        return [f"{path or '<root>'}: expected {et}, got {at}"]
    if et != at:
        return [f"{path or '<root>'}: expected {et}, got {at} ({actual!r:.60})"]
    out: list[str] = []
    if et == "object":
        prefix = path + "." if path else ""
        if any(_matches(p, path) for p in open_maps):
            if not expected:
                return []
            for k, v in actual.items():
                candidates = [expected[k]] if k in expected else list(expected.values())
                out += _best(candidates, v, prefix + k, kw)
            return out
        for k in expected:
            if k not in actual and not any(_matches(p, prefix + k) for p in ignore):
                out.append(f"{prefix}{k}: missing")
        for k in actual:
            if k not in expected and not any(_matches(p, prefix + k) for p in ignore):
                out.append(f"{prefix}{k}: not in the reference example")
        for k in expected:
            if k in actual:
                out += shape_diff(expected[k], actual[k], prefix + k, **kw)
    elif et == "array":
        if expected and actual:
            for item in actual:
                out += _best(expected, item, path + "[]", kw)
    return sorted(set(out))


def _best(candidates: list, actual: Any, path: str, kw: dict) -> list[str]:
    """Differences against the closest candidate (examples list heterogeneous items)."""
    best: list[str] | None = None
    for c in candidates:
        d = shape_diff(c, actual, path, **kw)
        if best is None or len(d) < len(best):
            best = d
        if not d:
            break
    return best or []


def assert_same_shape(expected: Any, actual: Any, **kw: Any) -> None:
    diff = shape_diff(expected, actual, **kw)
    assert not diff, "shape differs from the reference example:\n  " + "\n  ".join(diff)

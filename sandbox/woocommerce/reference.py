"""Read the WooCommerce REST API v3 reference (Markdown) and compare JSON shapes.

The reference pages live in ``/work/shared/specs/woocommerce/*.md`` (override
with the ``WC_SPECS_DIR`` environment variable). Each endpoint section
(``## Retrieve a product ##``) holds request examples followed by a
``> JSON response example:`` and a fenced ``json`` block. :func:`example`
returns that parsed block; :func:`shape_diff` / :func:`assert_same_shape`
compare an actual response with it: the same keys, and the same JSON types,
recursively. Reusable by the WooCommerce client tests.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "specs_dir",
    "examples",
    "example",
    "documented_keys",
    "undocumented_keys",
    "json_type",
    "shape_diff",
    "assert_same_shape",
]

_SECTION = re.compile(r"^## (.+?) ##\s*$")
_FENCE_JSON = re.compile(r"^```json\s*$")
_FENCE_END = re.compile(r"^```\s*$")


def specs_dir() -> Path:
    env = os.environ.get("WC_SPECS_DIR")
    if env:
        return Path(env)
    # /work/main/sandbox/woocommerce/reference.py -> /work/shared/specs/woocommerce
    return Path(__file__).resolve().parents[3] / "shared" / "specs" / "woocommerce"


@cache
def examples(page: str) -> dict[str, list[Any]]:
    """All parseable ``json`` blocks of a reference page, keyed by ``##`` section title.

    ``page`` is a file name with or without ``.md`` (``"products"``).
    """
    name = page if page.endswith(".md") else page + ".md"
    lines = (specs_dir() / name).read_text(encoding="utf-8").splitlines()
    out: dict[str, list[Any]] = {}
    section = ""
    i = 0
    while i < len(lines):
        m = _SECTION.match(lines[i])
        if m:
            section = m.group(1).strip()
        elif _FENCE_JSON.match(lines[i]):
            j = i + 1
            while j < len(lines) and not _FENCE_END.match(lines[j]):
                j += 1
            text = "\n".join(lines[i + 1 : j])
            try:
                out.setdefault(section, []).append(json.loads(text))
            except json.JSONDecodeError:
                pass
            i = j
        i += 1
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


_TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


@cache
def documented_keys(page: str) -> frozenset[str]:
    """Every attribute named in the page's property tables, plus every key of its example JSON."""
    name = page if page.endswith(".md") else page + ".md"
    keys: set[str] = set()
    for line in (specs_dir() / name).read_text(encoding="utf-8").splitlines():
        m = _TABLE_ROW.match(line)
        if m:
            keys.add(m.group(1))

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

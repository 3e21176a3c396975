"""Re-derive the committed contracts (sandbox/contracts/) from the published references.

    python -m sandbox.contracts.refresh [--source DIR] [--check]

DIR holds the references as published: ``eaccounting/openapi-v2.yaml`` (Visma's OpenAPI document)
and ``woocommerce/*.md`` (the WooCommerce REST API v3 reference pages). It is ``--source``, else
``$SILTA_SPECS_DIR``, else ``../shared/specs`` beside the project folder. This command (and the
test that checks the committed files are fresh) is the only code that reads outside the repository.

What is written (deterministic: sorted keys, one-space indent, a final newline):

- ``eaccounting/openapi-v2.json``: the operations the eAccounting sandbox serves (the client calls
  no others) and the component schemas they reference, with description/summary/tags/example
  prose removed. The scopes an operation's description names are kept as ``x-scopes``.
- ``woocommerce/<page>.json``: each reference page's sections in order, with their example JSON
  blocks and property tables (name, type, read-only/write-only/mandatory flags, options, default).
- ``SOURCES.json``: the sha256 of every source file read.
- ``sandbox/eaccounting/schemas.json``: the sandbox's flattened schemas, re-generated from the
  new eAccounting contract (``sandbox.eaccounting.schemagen``).

``--check`` writes nothing and exits 1 if a committed file differs from what would be written.
"""

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from sandbox.contracts import DIR

ROOT = DIR.parents[1]  # the project folder
# The published references are not part of the repository; on the team's machines and in CI a copy
# sits beside the project folder. Only this command and its freshness test look there.
DEFAULT_SOURCE = ROOT.parent / "shared" / "specs"
EACCOUNTING_SOURCE = Path("eaccounting", "openapi-v2.yaml")
WOOCOMMERCE_SOURCE = Path("woocommerce")


def source_dir(arg: str | os.PathLike | None = None) -> Path:
    return Path(arg or os.environ.get("SILTA_SPECS_DIR") or DEFAULT_SOURCE)


def dump(data) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------ eAccounting
PROSE = {"description", "summary", "tags", "example", "examples", "externalDocs", "title"}
# Keys whose value maps names (properties, status codes, media types...) to objects: their keys are data.
NAME_MAPS = {
    "properties",
    "patternProperties",
    "$defs",
    "paths",
    "schemas",
    "responses",
    "content",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "encoding",
    "mapping",
    "variables",
}
# Keys whose value is data, not more of the document.
VALUES = {"enum", "default", "const", "required"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
SCOPES = re.compile(r"Requires any of the following scopes:\s*((?:\s*\*\s*[\w:]+)+)")


def _strip(node, name_map=False):
    if isinstance(node, list):
        return [_strip(x) for x in node]
    if not isinstance(node, dict):
        return node
    if name_map:
        return {k: _strip(v) for k, v in node.items()}
    out = {}
    for k, v in node.items():
        if k in PROSE or k.startswith("x-"):
            continue
        out[k] = v if k in VALUES else _strip(v, name_map=k in NAME_MAPS)
    return out


def _shape(path: str) -> str:
    """``/v2/orders/<id>`` and ``/orders/{id}`` both -> ``/orders/{}``."""
    return re.sub(r"[<{][^>}]*[>}]", "{}", path.removeprefix("/v2")).rstrip("/") or "/"


def served_operations() -> set[tuple[str, str]]:
    """(method, path shape) of every /v2 operation the sandbox serves."""
    from sandbox.eaccounting.api import R

    return {(method.lower(), _shape(path)) for path, method, _ in R}


def _refs(node, found: set[str]):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for v in node.values():
            _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)


def eaccounting(spec: dict) -> dict:
    """The parts of Visma's OpenAPI document the sandbox and the contract tests use."""
    from sandbox.eaccounting.schemagen import ROOTS

    wanted = served_operations()
    paths = {}
    for path, item in spec["paths"].items():
        ops = {}
        for method, op in (item or {}).items():
            if method not in METHODS or (method, _shape(path)) not in wanted:
                continue
            kept = _strip(op)
            m = SCOPES.search(op.get("description") or "")
            if m:
                kept["x-scopes"] = re.findall(r"\*\s*([\w:]+)", m.group(1))
            for resp in kept.get("responses", {}).values():
                if "$ref" not in resp:
                    resp["description"] = ""  # required by OpenAPI; the text is prose
            ops[method] = kept
        if ops:
            common = {
                k: _strip(v) for k, v in item.items() if k not in METHODS and k in ("parameters", "servers")
            }
            paths[path] = {**common, **ops}
    missing = wanted - {(m, _shape(p)) for p, item in paths.items() for m in item if m in METHODS}
    if missing:
        raise SystemExit(f"the sandbox serves operations the OpenAPI document lacks: {sorted(missing)}")
    all_schemas = spec["components"]["schemas"]
    keep, todo = set(), set(ROOTS) | {"CommonExtendedBadRequest"}
    _refs(paths, todo)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        found = set()
        _refs(all_schemas[name], found)
        todo |= found - keep
    return {
        "openapi": spec["openapi"],
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "servers": [{"url": s["url"]} for s in spec.get("servers", [])],
        "paths": paths,
        "components": {"schemas": {n: _strip(all_schemas[n]) for n in sorted(keep)}},
    }


# ------------------------------------------------------------------------------------------ WooCommerce
_SECTION = re.compile(r"^## (.+?) ##\s*$")
_HEADING = re.compile(r"^#+\s*(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^```")
_FENCE_JSON = re.compile(r"^```json\s*$")
_FENCE_END = re.compile(r"^```\s*$")
_NAME = re.compile(r"^`([^`]+)`$")
_SEPARATOR = re.compile(r"^:?-+:?$")
_OPTIONS = re.compile(r"Options:((?:\s*(?:,|and)?\s*`[^`]*`)+)")
_DEFAULT = re.compile(r"Default is `([^`]*)`")
_LABEL = re.compile(r'<i class="label label-info">([\w-]+)</i>')


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().removeprefix("|").removesuffix("|").split("|")]


def _table(lines: list[str]) -> dict:
    header = _cells(lines[0])
    rows = []
    for line in lines[1:]:
        cells = _cells(line)
        if all(_SEPARATOR.match(c) for c in cells):
            continue
        m = _NAME.match(cells[0])
        if not m:
            continue
        row = {"name": m.group(1)}
        for column, cell in zip(header[1:], cells[1:], strict=False):
            if column.lower() != "description":
                row[column.lower().replace(" ", "_")] = cell
                continue
            labels = set(_LABEL.findall(cell))
            for label in ("read-only", "write-only"):
                if label in labels:
                    row[label.replace("-", "_")] = True
            if labels & {"mandatory", "required"}:
                row["mandatory"] = True
            options = _OPTIONS.search(cell)
            if options:
                row["options"] = re.findall(r"`([^`]*)`", options.group(1))
            default = _DEFAULT.search(cell)
            if default:
                row["default"] = default.group(1)
        rows.append(row)
    return {"columns": header, "rows": rows}


def woocommerce(text: str) -> dict:
    """A reference page as data: its ``##`` sections in order, each with its parseable ``json``
    blocks and its tables (the ``###``/``####`` heading a table sits under, or null)."""
    lines = text.splitlines()
    title = lines[0].strip("# ").strip() if lines and lines[0].startswith("# ") else ""
    sections = [{"title": "", "examples": [], "tables": []}]
    heading = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _SECTION.match(line)
        if m:
            sections.append({"title": m.group(1).strip(), "examples": [], "tables": []})
            heading = None
        elif line.startswith("#"):
            if not line.startswith("# "):
                heading = _HEADING.match(line).group(1)
        elif _FENCE.match(line):
            j = i + 1
            while j < len(lines) and not _FENCE_END.match(lines[j]):
                j += 1
            if _FENCE_JSON.match(line):
                try:
                    sections[-1]["examples"].append(json.loads("\n".join(lines[i + 1 : j])))
                except json.JSONDecodeError:
                    pass
            i = j
        elif line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            sections[-1]["tables"].append({"heading": heading, **_table(lines[i:j])})
            i = j - 1
        i += 1
    return {"title": title, "sections": [s for s in sections if s["title"] or s["examples"] or s["tables"]]}


# ------------------------------------------------------------------------------------------ the files
def build(source: Path) -> dict[Path, str]:
    """Every file this command writes (absolute path -> text), derived from ``source``."""
    import yaml

    from sandbox.eaccounting import schemagen

    spec_file = source / EACCOUNTING_SOURCE
    pages = sorted((source / WOOCOMMERCE_SOURCE).glob("*.md"))
    if not spec_file.is_file() or not pages:
        raise FileNotFoundError(
            f"no references in {source} (expected {EACCOUNTING_SOURCE} and {WOOCOMMERCE_SOURCE}/*.md)"
        )
    sha = {}
    raw = spec_file.read_bytes()
    sha[EACCOUNTING_SOURCE.as_posix()] = hashlib.sha256(raw).hexdigest()
    contract = eaccounting(yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    files = {DIR / "eaccounting" / "openapi-v2.json": dump(contract)}
    for page in pages:
        raw = page.read_bytes()
        sha[(WOOCOMMERCE_SOURCE / page.name).as_posix()] = hashlib.sha256(raw).hexdigest()
        files[DIR / "woocommerce" / f"{page.stem}.json"] = dump(woocommerce(raw.decode("utf-8")))
    files[DIR / "SOURCES.json"] = dump(sha)
    files[schemagen.OUT] = dump(schemagen.generate(contract))
    return files


def stale(files: dict[Path, str]) -> list[Path]:
    """Committed contract files this build would not write (a page gone from the reference)."""
    return sorted(p for p in (DIR / "woocommerce").glob("*.json") if p not in files)


def differences(files: dict[Path, str]) -> list[str]:
    out = [f"{p.relative_to(ROOT)}: not in the references any more" for p in stale(files)]
    for path, text in files.items():
        if not path.is_file():
            out.append(f"{path.relative_to(ROOT)}: missing")
        elif path.read_text(encoding="utf-8") != text:
            out.append(f"{path.relative_to(ROOT)}: differs")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.contracts.refresh", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--source", help=f"the published references (default: $SILTA_SPECS_DIR or {DEFAULT_SOURCE})"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is out of date"
    )
    args = parser.parse_args(argv)
    source = source_dir(args.source)
    files = build(source)
    if args.check:
        diff = differences(files)
        print("\n".join(diff) if diff else f"contracts are fresh (source {source})")
        return 1 if diff else 0
    for path in stale(files):
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

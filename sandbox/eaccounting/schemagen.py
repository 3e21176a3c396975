"""Regenerate schemas.json: the spec's component schemas the sandbox serves, flattened.

Run: .venv/bin/python -m sandbox.eaccounting.schemagen [path/to/openapi.json]
(``python -m sandbox.contracts.refresh`` runs it too.) The source is the committed contract,
sandbox/contracts/eaccounting/openapi-v2.json. The sandbox reads schemas.json at import time (no
spec parse at runtime); it uses it to validate request bodies (2000 errors), drop read-only input
and refuse to emit a field the spec does not define.
"""

import json
import sys
from pathlib import Path

from sandbox.contracts import EACCOUNTING_OPENAPI as SPEC

OUT = Path(__file__).with_name("schemas.json")
ROOTS = [
    "ArticleApi",
    "UnitApi",
    "ArticleAccountCodingApi",
    "VatCodeApi",
    "TermsOfPaymentApi",
    "BankAccountApi",
    "DeliveryMethodApi",
    "CustomerApi",
    "OrderApi",
    "CustomerInvoiceDraftApi",
    "CustomerInvoiceApi",
    "WebshopOrderApi",
    "CompanySettingsApi",
    "CommonExtendedBadRequest",
    "CommonPaginationMetadata",
    "OrderConversionApi",
    "CustomerInvoiceDraftValidationApi",
    "InvoicePaymentApi",
]
KEYS = ("format", "maxLength", "minLength", "minimum", "maximum", "readOnly", "enum")


def _ref(d):
    return d["$ref"].rsplit("/", 1)[-1] if "$ref" in d else None


def _prop(d):
    out = {k: d[k] for k in KEYS if k in d}
    t = d.get("type")
    if t is not None:
        out["type"] = t if isinstance(t, list) else [t]
    if _ref(d):
        out["ref"] = _ref(d)
    for comb in ("allOf", "oneOf", "anyOf"):
        if comb in d:
            refs = [_ref(x) for x in d[comb] if _ref(x)]
            if refs:
                out["ref"] = refs[0]
    if "items" in d:
        out["items"] = _prop(d["items"])
    return out


def generate(spec=SPEC):
    """``spec``: the OpenAPI document as a dict, or the path of its JSON (or YAML) file."""
    if not isinstance(spec, dict):
        text = Path(spec).read_text(encoding="utf-8")
        if str(spec).endswith(".json"):
            spec = json.loads(text)
        else:
            import yaml

            spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas = spec["components"]["schemas"]
    out, todo = {}, list(ROOTS)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        s = schemas[name]
        props = {k: _prop(v) for k, v in s.get("properties", {}).items()}
        out[name] = {"required": s.get("required", []), "properties": props}
        for p in props.values():
            for r in (p.get("ref"), p.get("items", {}).get("ref")):
                if r and r not in out:
                    todo.append(r)
    return dict(sorted(out.items()))


if __name__ == "__main__":
    data = generate(sys.argv[1] if len(sys.argv) > 1 else SPEC)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({len(data)} schemas)")

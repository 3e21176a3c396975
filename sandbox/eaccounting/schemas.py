"""The spec's schemas (from schemas.json): request-body checks, read-only stripping, emission guard."""

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

SCHEMAS = json.loads(Path(__file__).with_name("schemas.json").read_text())
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")

# When True, emit() raises on a property the spec does not define (tests turn it on).
STRICT = {"on": True}


class SchemaError(Exception):
    pass


def props(name):
    return SCHEMAS[name]["properties"]


def parse_datetime(value):
    """Parse an ISO-8601 date or date-time string; return an aware-naive UTC datetime or None."""
    if not isinstance(value, str) or not DATE_RE.match(value.strip()):
        return None
    v = value.strip().replace(" ", "T")
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(v)
    except ValueError:
        return None
    if d.tzinfo is not None:
        d = d.astimezone(UTC).replace(tzinfo=None)
    return d


def _type_ok(value, types, fmt):
    for t in types:
        if t == "null" and value is None:
            return True
        if t == "string" and isinstance(value, str):
            if fmt == "uuid":
                try:
                    uuid.UUID(value)
                except ValueError:
                    continue
            if fmt == "date-time" and parse_datetime(value) is None:
                continue
            return True
        if t == "boolean" and isinstance(value, bool):
            return True
        if t == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if t == "array" and isinstance(value, list):
            return True
        if t == "object" and isinstance(value, dict):
            return True
    return False


def _err(field, code, message):
    return {"Field": field, "ErrorCode": code, "Message": message}


def validate(name, body, prefix=""):
    """Check a request body against schema `name`; return a list of CommonError dicts."""
    if not isinstance(body, dict):
        return [_err(prefix.rstrip(".") or None, "InvalidModel", "The request body must be a JSON object.")]
    errors = []
    schema = SCHEMAS[name]
    for req in schema["required"]:
        if body.get(req) is None and not schema["properties"].get(req, {}).get("readOnly"):
            errors.append(_err(prefix + req, "Required", f"The {req} field is required."))
    for key, value in body.items():
        p = schema["properties"].get(key)
        field = prefix + key
        if p is None or p.get("readOnly") or value is None and key in schema["required"]:
            continue  # unknown and read-only input is ignored, like the .NET model binder does
        errors.extend(_check(field, p, value))
    return errors


def _check(field, p, value):
    if value is None:
        if "type" in p and "null" not in p["type"] and "ref" not in p:
            return [_err(field, "InvalidValue", f"The field {field} can not be null.")]
        return []
    if "ref" in p and "type" not in p:
        return validate(p["ref"], value, field + ".")
    if "type" in p and not _type_ok(value, p["type"], p.get("format")):
        return [_err(field, "InvalidValue", f"The value '{value}' is not valid for {field}.")]
    if isinstance(value, str):
        if "maxLength" in p and len(value) > p["maxLength"]:
            return [
                _err(
                    field,
                    "MaxLength",
                    f"The field {field} must be a string with a maximum length of {p['maxLength']}.",
                )
            ]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = p.get("minimum"), p.get("maximum")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return [_err(field, "Range", f"The field {field} must be between {lo} and {hi}.")]
        if "enum" in p and value not in p["enum"]:
            return [_err(field, "InvalidValue", f"The value '{value}' is not valid for {field}.")]
    elif isinstance(value, list) and "items" in p:
        out = []
        for i, item in enumerate(value):
            ip = p["items"]
            if "ref" in ip:
                out.extend(validate(ip["ref"], item, f"{field}[{i}]."))
            else:
                out.extend(_check(f"{field}[{i}]", ip, item))
        return out
    return []


def writable(name, body):
    """The request's writable properties (read-only and unknown ones dropped)."""
    ps = props(name)
    return {k: v for k, v in (body or {}).items() if k in ps and not ps[k].get("readOnly")}


def emit(name, obj):
    """Return obj restricted to the schema; in STRICT mode an unknown property is a bug."""
    ps = props(name)
    obj = {k: v for k, v in obj.items() if not k.startswith("_")}  # "_x" keys are sandbox-internal
    extra = [k for k in obj if k not in ps]
    if extra and STRICT["on"]:
        raise SchemaError(f"{name} has no properties {extra}")
    out = {}
    for k, v in obj.items():
        if k not in ps:
            continue
        p = ps[k]
        ref = p.get("ref") or p.get("items", {}).get("ref")
        if ref and isinstance(v, dict):
            v = emit(ref, v)
        elif ref and isinstance(v, list):
            v = [emit(ref, x) if isinstance(x, dict) else x for x in v]
        out[k] = v
    return out

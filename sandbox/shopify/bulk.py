"""Bulk query operations: ``bulkOperationRunQuery`` runs a query over whole connections (no
paging, no cost per object) and leaves its result as a JSONL file, one object a line; the objects
of a nested connection follow their parent, each with ``__parentId`` (the bulk operations guide).

The sandbox runs the query at once under the store's lock; with ``bulk_seconds`` set the
operation shows RUNNING that long before COMPLETED, so a client must poll. The file is served at
``/_bulk/<n>.jsonl`` (Shopify's is a storage URL valid for seven days).
"""

from __future__ import annotations

import json
import time
from typing import Any

from graphql import FieldNode, GraphQLSchema, OperationDefinitionNode, execute, parse, validate

from .store import Store, gid, iso


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and ("edges" in value or "nodes" in value)


def _nodes(connection: dict) -> list[dict]:
    if isinstance(connection.get("nodes"), list):
        return connection["nodes"]
    return [e["node"] for e in connection.get("edges") or []]


def flatten(data: dict) -> tuple[list[str], int]:
    """JSONL lines of the single top-level connection in ``data`` and the number of root objects."""
    (connection,) = data.values()
    lines: list[str] = []
    roots = _nodes(connection)
    for node in roots:
        children = {k: v for k, v in node.items() if _is_connection(v)}
        lines.append(json.dumps({k: v for k, v in node.items() if k not in children}, ensure_ascii=False))
        for child_connection in children.values():
            for child in _nodes(child_connection):
                lines.append(json.dumps({**child, "__parentId": node.get("id")}, ensure_ascii=False))
    return lines, len(roots)


def run(store: Store, schema: GraphQLSchema, query: str, base_url: str) -> dict:
    """The BulkOperationRunQueryPayload of ``query``."""
    try:
        document = parse(query)
    except Exception as exc:  # noqa: BLE001 - any syntax error is the caller's
        return _refused(f"Invalid bulk query: {exc}")
    errors = validate(schema, document)
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if errors or len(ops) != 1 or ops[0].operation.value != "query":
        return _refused(
            "Invalid bulk query: " + (errors[0].message if errors else "one query operation is needed")
        )
    roots = [s for s in ops[0].selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) != 1:
        return _refused("Bulk queries must contain exactly one top-level field.")
    with store.lock:
        store.bulk_mode = True
        try:
            result = execute(schema, document, context_value=store)
        finally:
            store.bulk_mode = False
        if result.errors or not result.data or not _is_connection(next(iter(result.data.values()))):
            message = result.errors[0].message if result.errors else "Bulk queries must select a connection."
            return _refused(message)
        lines, root_count = flatten(result.data)
        n = store.new_id()
        body = ("\n".join(lines) + "\n").encode() if lines else b""
        store.bulk_files[n] = body
        operation = {
            "id": gid("BulkOperation", n),
            "type": "QUERY",
            "query": query,
            "createdAt": iso(store.now()),
            "objectCount": str(len(lines)),
            "rootObjectCount": str(root_count),
            "fileSize": str(len(body)) if body else None,
            "partialDataUrl": None,
            "_url": f"{base_url}/_bulk/{n}.jsonl" if body else None,
            "_ready_at": time.monotonic() + float(store.settings.get("bulk_seconds") or 0),
        }
        store.bulk_operations.append(operation)
        return {"bulkOperation": view(operation, store), "userErrors": []}


def view(operation: dict, store: Store) -> dict:
    ready = time.monotonic() >= operation["_ready_at"]
    return {
        **operation,
        "status": "COMPLETED" if ready else "RUNNING",
        "completedAt": operation["createdAt"] if ready else None,
        "url": operation["_url"] if ready else None,
    }


def _refused(message: str) -> dict:
    return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": message}]}

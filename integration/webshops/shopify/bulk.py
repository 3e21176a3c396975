"""Bulk queries: a whole catalogue in one operation, its JSONL result streamed line by line.

``bulkOperationRunQuery`` starts the query; ``currentBulkOperation`` is polled until COMPLETED;
the result's ``url`` is read as a stream, one JSON object a line, never whole in memory. The
objects of a nested connection follow their parent with ``__parentId``: ``grouped`` gives each
root object with its children, holding one parent at a time. For catalogues past ``BULK_THRESHOLD``
variants the connector reads this way instead of paging (a page of 100 costs ~100 points; a bulk
query costs the mutation and the polls).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import requests

from ..base import ShopUnavailable
from .client import ShopifyClient

BULK_THRESHOLD = 2000
RUN = """mutation bulk($query: String!) { bulkOperationRunQuery(query: $query) {
  bulkOperation { id status } userErrors { field message } } }"""
CURRENT = """query current { currentBulkOperation(type: QUERY) {
  id status objectCount rootObjectCount url partialDataUrl } }"""
FAILED = ("FAILED", "CANCELED", "CANCELING", "EXPIRED")


def run_bulk_query(
    client: ShopifyClient, query: str, *, poll_seconds: float = 2.0, max_polls: int = 1800
) -> Iterator[dict]:
    """Every object of the bulk query's result, in file order (parents before their children)."""
    started = client.mutate(RUN, {"query": query}, payload="bulkOperationRunQuery")["bulkOperation"]
    for _ in range(max_polls):
        op = client.query(CURRENT)["currentBulkOperation"] or {}
        if op.get("id") == started["id"]:
            if op.get("status") == "COMPLETED":
                if op.get("url"):
                    yield from _stream(client, str(op["url"]))
                return
            if op.get("status") in FAILED:
                raise ShopUnavailable(
                    f"Shopify's bulk operation ended {op['status']}; Silta will try again later."
                )
        client.sleep(poll_seconds)
    raise ShopUnavailable("Shopify's bulk operation did not finish in time; Silta will try again later.")


def _stream(client: ShopifyClient, url: str) -> Iterator[dict]:
    # The file is on Shopify's storage: no access token goes with it (the client sends the token
    # per GraphQL request, not with the session).
    try:
        with client.session.get(
            url, stream=True, timeout=(10, client.timeout), allow_redirects=False
        ) as resp:
            if resp.status_code != 200:
                raise ShopUnavailable(f"Shopify's bulk result could not be read (HTTP {resp.status_code}).")
            for line in resp.iter_lines():
                if line:
                    yield json.loads(line)
    except (requests.ConnectionError, requests.Timeout):
        raise ShopUnavailable(
            "Shopify's bulk result could not be read; Silta will try again later."
        ) from None


def grouped(objects: Iterable[dict[str, Any]]) -> Iterator[tuple[dict, list[dict]]]:
    """(root object, its children) pairs from a bulk result; one parent in memory at a time."""
    parent: dict | None = None
    children: list[dict] = []
    for obj in objects:
        if "__parentId" in obj:
            children.append(obj)
            continue
        if parent is not None:
            yield parent, children
        parent, children = obj, []
    if parent is not None:
        yield parent, children

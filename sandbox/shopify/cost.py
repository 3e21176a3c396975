"""Calculated query cost and the leaky bucket, as Shopify's rate-limit page describes them.

Every field has a cost by what it returns: scalars and enums 0, objects 1, connections 2 plus
the objects requested (``first``/``last``), mutations 10. The requested cost is computed before
running (a connection counts its full page); the actual cost after, from what came back. A
request needs its requested cost in the bucket, and is charged its actual cost; the bucket
refills continuously at the restore rate up to its size.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

MUTATION_COST = 10
CONNECTION_BASE = 2


class Bucket:
    def __init__(self, size: float, restore_rate: float, clock: Callable[[], float] = time.monotonic):
        self.lock = threading.Lock()
        self.size = size
        self.restore_rate = restore_rate
        self.clock = clock
        self.available = size
        self.at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.available = min(self.size, self.available + (now - self.at) * self.restore_rate)
        self.at = now

    def take(self, requested: int) -> bool:
        """Reserve ``requested`` points; False (nothing taken) when the bucket holds fewer."""
        with self.lock:
            self._refill()
            if requested > self.available:
                return False
            self.available -= requested
            return True

    def settle(self, requested: int, actual: int) -> None:
        """Give back what a request reserved but did not use."""
        with self.lock:
            self.available = min(self.size, self.available + requested - actual)

    def set_available(self, points: float) -> None:
        with self.lock:
            self._refill()
            self.available = max(0.0, min(self.size, points))

    def status(self) -> dict:
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": float(self.size),
                "currentlyAvailable": int(math.floor(self.available)),
                "restoreRate": float(self.restore_rate),
            }


def _unwrap(t: Any) -> tuple[Any, bool]:
    """(named type, is a list) of a field's output type."""
    is_list = False
    while isinstance(t, GraphQLNonNull | GraphQLList):
        if isinstance(t, GraphQLList):
            is_list = True
        t = t.of_type
    return t, is_list


class Coster:
    """Requested and actual cost of one operation against the schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict | None,
    ):
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation = operation
        self.mutation = operation.operation.value == "mutation"
        root = schema.mutation_type if self.mutation else schema.query_type
        assert root is not None
        self.root = root

    def _fields(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        out: list[FieldNode] = []
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                out.extend(self._fields(sel.selection_set))
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in self.fragments:
                out.extend(self._fields(self.fragments[sel.name.value].selection_set))
        return out

    def requested(self) -> int:
        total = self._selection(self.root, self.operation.selection_set, None, actual=False)
        return int(total)

    def actual(self, data: Any) -> int:
        if data is None:
            return 0
        return int(self._selection(self.root, self.operation.selection_set, data, actual=True))

    def _selection(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None, data: Any, actual: bool
    ) -> float:
        total = 0.0
        for node in self._fields(selection_set):
            name = node.name.value
            if name.startswith("__"):
                continue
            field = parent.fields.get(name)
            if field is None:
                continue
            key = node.alias.value if node.alias else name
            value = data.get(key) if isinstance(data, dict) else None
            if actual and value is None and not (parent is self.root and self.mutation):
                continue
            named, is_list = _unwrap(field.type)
            own = MUTATION_COST if parent is self.root and self.mutation else 0
            if not isinstance(named, GraphQLObjectType):
                total += own
                continue
            if named.name.endswith("Connection"):
                total += own + self._connection(named, node, field, value, actual)
                continue
            per_item = 0 if own else 1
            if is_list:
                if actual:
                    total += own + sum(
                        per_item + self._selection(named, node.selection_set, v, True) for v in value or []
                    )
                else:
                    n = self._count(field, node) or 1
                    total += own + n * (per_item + self._selection(named, node.selection_set, None, False))
            else:
                total += own + per_item + self._selection(named, node.selection_set, value, actual)
        return total

    def _count(self, field: Any, node: FieldNode) -> int:
        args = get_argument_values(field, node, self.variables)
        return int(args.get("first") or args.get("last") or 0)

    def _connection(
        self, conn: GraphQLObjectType, node: FieldNode, field: Any, value: Any, actual: bool
    ) -> float:
        node_type = get_named_type(conn.fields["nodes"].type)
        assert isinstance(node_type, GraphQLObjectType)
        inner = [f for f in self._fields(node.selection_set)]
        node_selections: list[SelectionSetNode] = []
        for f in inner:
            if f.name.value == "nodes" and f.selection_set:
                node_selections.append(f.selection_set)
            elif f.name.value == "edges":
                for g in self._fields(f.selection_set):
                    if g.name.value == "node" and g.selection_set:
                        node_selections.append(g.selection_set)
        if not actual:
            n = self._count(field, node)
            per_node = 1 + sum(self._selection(node_type, s, None, False) for s in node_selections)
            return CONNECTION_BASE + n * per_node
        nodes = _nodes_of(value)
        cost = float(CONNECTION_BASE)
        for item in nodes:
            cost += 1 + sum(self._selection(node_type, s, item, True) for s in node_selections)
        return cost


def _nodes_of(value: Any) -> list:
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("nodes"), list):
        return value["nodes"]
    return [e.get("node") for e in value.get("edges") or [] if isinstance(e, dict)]

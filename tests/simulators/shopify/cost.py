"""Calculated query cost and the leaky bucket that throttles on it.

Cost model (API-FACTS 1.4): scalars and enums cost 0, an object 1, a
connection 2 plus its page size times the cost of one item (edges and page
info are free wrappers), a mutation field 10. The requested cost sizes
connections by ``first``/``last``; the actual cost counts the items really
returned. A plain list of objects costs as much as one of its objects.
"""

import threading
import time

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    OperationType,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.utilities import value_from_ast_untyped

MAX_QUERY_COST = 1000
MUTATION_COST = 10
FREE_WRAPPERS = ("Edge", "PageInfo")


class QueryCost:
    """Computes the requested and actual cost of one operation."""

    def __init__(self, schema, operation, fragments, variables):
        self._schema = schema
        self._operation = operation
        self._fragments = fragments
        self._variables = variables or {}

    def requested(self):
        """Cost before execution, from the page sizes asked for."""
        return self._root_cost(None)

    def actual(self, data):
        """Cost after execution, from the items present in ``data``."""
        return self._root_cost(data or {})

    def _root_cost(self, data):
        selection_set = self._operation.selection_set
        if self._operation.operation == OperationType.MUTATION:
            fields = self._fields(selection_set, self._schema.mutation_type)
            return MUTATION_COST * sum(1 for _ in fields)
        return self._selection_cost(selection_set, self._schema.query_type, data)

    def _fields(self, selection_set, parent_type):
        """Yield ``(field node, field definition)`` pairs, flattening fragments."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    yield selection, parent_type.fields[selection.name.value]
                continue
            if isinstance(selection, FragmentSpreadNode):
                selection = self._fragments[selection.name.value]
            condition = selection.type_condition
            owner = (
                self._schema.get_type(condition.name.value)
                if condition
                else parent_type
            )
            yield from self._fields(selection.selection_set, owner)

    def _selection_cost(self, selection_set, parent_type, value, page_size=None):
        """Cost of the fields selected on one object.

        ``value`` is None for the requested cost, else the object's result.
        ``page_size`` is set when the object is a connection: its list fields
        hold its items.
        """
        total = 0
        for node, definition in self._fields(selection_set, parent_type):
            named = get_named_type(definition.type)
            if is_leaf_type(named):
                continue
            if value is None:
                field_type = definition.type
                if is_non_null_type(field_type):
                    field_type = field_type.of_type
                listed = is_list_type(field_type) and page_size is not None
                items = page_size if listed else 1
                total += items * self._object_cost(node, named, None)
                continue
            result = value.get(node.alias.value if node.alias else node.name.value)
            if isinstance(result, list):
                costs = [
                    self._object_cost(node, named, item) for item in result if item
                ]
                total += sum(costs) if page_size is not None else max(costs, default=0)
            elif result is not None:
                total += self._object_cost(node, named, result)
        return total

    def _object_cost(self, node, named, value):
        """Cost of one object (``value`` None = requested) and what it selects."""
        if named.name.endswith("Connection"):
            size = self._page_size(node)
            return 2 + self._selection_cost(node.selection_set, named, value, size)
        own = 0 if named.name.endswith(FREE_WRAPPERS) else 1
        return own + self._selection_cost(node.selection_set, named, value)

    def _page_size(self, node):
        """The ``first`` or ``last`` argument of a connection field, else 0."""
        for argument in node.arguments:
            if argument.name.value in ("first", "last"):
                size = value_from_ast_untyped(argument.value, self._variables)
                if isinstance(size, int):
                    return size
        return 0


class LeakyBucket:
    """Shopify's cost budget: drains by query cost, refills at a steady rate."""

    def __init__(
        self, maximum_available=2000.0, restore_rate=100.0, clock=time.monotonic
    ):
        self._lock = threading.Lock()
        self._clock = clock
        self.maximum_available = float(maximum_available)
        self.restore_rate = float(restore_rate)
        self._available = self.maximum_available
        self._last = clock()

    def configure(
        self, maximum_available=None, restore_rate=None, currently_available=None
    ):
        """Change the bucket size, restore rate and/or current level."""
        with self._lock:
            self._refill()
            if maximum_available is not None:
                self.maximum_available = float(maximum_available)
            if restore_rate is not None:
                self.restore_rate = float(restore_rate)
            if currently_available is not None:
                self._available = float(currently_available)
            self._available = min(self._available, self.maximum_available)

    def take(self, cost):
        """Charge ``cost`` if the bucket holds it; return whether it did."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, amount):
        """Give back ``amount`` (requested minus actual cost)."""
        with self._lock:
            self._refill()
            self._available = min(self.maximum_available, self._available + amount)

    def status(self):
        """Return ``throttleStatus`` as Shopify reports it."""
        with self._lock:
            self._refill()
            return {
                "maximumAvailable": self.maximum_available,
                "currentlyAvailable": int(self._available),
                "restoreRate": self.restore_rate,
            }

    def _refill(self):
        now = self._clock()
        elapsed, self._last = now - self._last, now
        self._available = min(
            self.maximum_available, self._available + elapsed * self.restore_rate
        )

"""Pushing absolute stock quantities to Shopify, free of any Odoo model.

One ``inventorySetQuantities`` call carries up to 250 quantities. Each one
states the quantity Shopify had when it was last seen (``changeFromQuantity``,
``None`` when unknown); Shopify refuses the whole call when one of them is
stale, and the pusher then reads the current levels again and retries. Each
call carries an idempotency key reserved before it is sent, so a call
retried after a lost answer is replayed by Shopify instead of applied twice.
The client waits for the cost budget before each call.
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from .. import const
from . import queries
from .bulk import run_bulk_query

_logger = logging.getLogger(__name__)

OPERATION = "inventorySetQuantities"
STALE = const.CHANGE_FROM_QUANTITY_STALE


@dataclass
class LevelPush:
    """One quantity to set: ``handle`` is the caller's own reference."""

    handle: object
    inventory_item_id: str
    location_id: str
    quantity: int
    known_quantity: int | None = None


@dataclass
class PushReport:
    """What a push did: levels Shopify now has, levels refused, calls made."""

    pushed: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    calls: int = 0
    rereads: int = 0


class MemoryKeys:
    """Idempotency keys kept in memory (benchmarks and plain scripts)."""

    def __init__(self):
        self.keys = {}
        self.results = {}

    def reserve(self, reference, variables):
        return self.keys.setdefault(
            reference, hashlib.sha256(reference.encode()).hexdigest()
        )

    def record(self, reference, ok, external_id=None, summary=None):
        self.results[reference] = (ok, external_id, summary)


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class InventoryPusher:
    """Sets quantities through one :class:`ShopifyClient`.

    ``keys`` reserves an idempotency key per ``(reference, variables)`` before
    a call (``reserve``) and records the outcome after it (``record``).
    ``run_reference`` names the run (a job's uuid): a retry of the same run
    with the same quantities reuses the same keys.
    """

    def __init__(self, client, keys, run_reference):
        self.client = client
        self.keys = keys
        self.run_reference = run_reference

    def push(self, levels):
        """Set every level; return a :class:`PushReport`."""
        report = PushReport()
        for batch in batches(list(levels), const.INVENTORY_SET_BATCH_SIZE):
            self._push_batch(batch, report)
        return report

    def _push_batch(self, batch, report):
        for _attempt in range(const.INVENTORY_STALE_RETRIES + 1):
            if not batch:
                return
            errors = self._set(batch, report)
            if not errors:
                report.pushed.extend(batch)
                return
            codes = {error.get("code") for error in errors}
            if codes == {const.IDEMPOTENCY_CONCURRENT_REQUEST}:
                raise RetryableError(
                    "Shopify is still running an earlier attempt of this stock "
                    "push; it is retried later with the same key.",
                    retry_after=5.0,
                )
            stale = [e for e in errors if e.get("code") == STALE]
            others = [e for e in errors if e.get("code") != STALE]
            # Error indexes refer to this batch: pick the stale levels first.
            stale_levels = (_named_levels(batch, stale) or batch) if stale else []
            if others:
                batch = self._drop_refused(batch, others, report)
            if stale_levels:
                self.refresh(stale_levels)
                report.rereads += 1
        raise RetryableError(
            "Shopify's stock kept changing while it was being set; the push is "
            "retried later.",
            retry_after=30.0,
        )

    def _set(self, batch, report):
        """One call; return its user errors."""
        quantities = [
            {
                "inventoryItemId": level.inventory_item_id,
                "locationId": level.location_id,
                "quantity": level.quantity,
                "changeFromQuantity": level.known_quantity,
            }
            for level in batch
        ]
        digest = hashlib.sha256(
            json.dumps(quantities, sort_keys=True).encode()
        ).hexdigest()
        reference = f"{self.run_reference}:{digest}"
        variables = {
            "input": {
                "name": const.INVENTORY_SET_NAME,
                "reason": const.INVENTORY_SET_REASON,
                "referenceDocumentUri": const.INVENTORY_REFERENCE_URI.format(
                    reference=digest[:32]
                ),
                "quantities": quantities,
            }
        }
        key = self.keys.reserve(reference, variables)
        report.calls += 1
        data = self.client.execute(
            queries.INVENTORY_SET_QUANTITIES,
            dict(variables, idempotencyKey=key),
            expected_cost=const.MUTATION_COST,
        )
        payload = data.get(OPERATION) or {}
        errors = payload.get("userErrors") or []
        group = payload.get("inventoryAdjustmentGroup") or {}
        summary = "; ".join(
            f"{error.get('code')}: {error.get('message')}" for error in errors
        )
        self.keys.record(
            reference,
            not errors,
            external_id=group.get("id"),
            summary=summary or f"{len(batch)} quantities set",
        )
        return errors

    def _drop_refused(self, batch, errors, report):
        """Set aside the quantities Shopify refused; keep the others."""
        refused = {}
        for error in errors:
            path = error.get("field") or []
            if len(path) >= 3 and path[:2] == ["input", "quantities"]:
                try:
                    refused[int(path[2])] = error.get("message") or error.get("code")
                    continue
                except ValueError:
                    pass
            raise BusinessError(
                "Shopify refused the stock push: "
                + "; ".join(e.get("message", "") for e in errors),
                code="inventory_refused",
            )
        for index, message in refused.items():
            report.failed[batch[index].handle] = message
        return [level for index, level in enumerate(batch) if index not in refused]

    def refresh(self, levels):
        """Read Shopify's current quantity of each level into ``known_quantity``
        (``None`` when the item is not stocked at the location)."""
        current = self.read({(lv.inventory_item_id, lv.location_id) for lv in levels})
        for level in levels:
            level.known_quantity = current.get(
                (level.inventory_item_id, level.location_id)
            )

    def read(self, pairs):
        """``{(item, location): available or None}`` for the given pairs."""
        pairs = sorted(pairs)
        result = {}
        for chunk in batches(pairs, const.INVENTORY_REREAD_BATCH_SIZE):
            fields = "".join(
                queries.INVENTORY_LEVEL_FIELD.format(
                    alias=f"l{index}", item=item, location=location
                )
                for index, (item, location) in enumerate(chunk)
            )
            data = self.client.execute(
                f"query InventoryLevels {{ {fields} }}",
                expected_cost=3 * len(chunk),
            )
            for index, pair in enumerate(chunk):
                node = data.get(f"l{index}") or {}
                result[pair] = _available(node.get("inventoryLevel"))
        return result


def _named_levels(batch, errors):
    """The levels of ``batch`` that user errors name by index, if all do."""
    named = []
    for error in errors:
        path = error.get("field") or []
        if len(path) < 3 or not str(path[2]).isdigit() or int(path[2]) >= len(batch):
            return []
        named.append(batch[int(path[2])])
    return named


def _available(level):
    for quantity in (level or {}).get("quantities") or ():
        if quantity["name"] == const.INVENTORY_SET_NAME:
            return quantity["quantity"]
    return None


def read_all_levels(client, sleep=time.sleep, timeout=const.BULK_POLL_TIMEOUT_SECONDS):
    """Every level of the shop through a bulk operation:
    ``{(inventory item gid, location gid): available}``."""
    records = run_bulk_query(
        client, queries.INVENTORY_LEVELS_BULK_QUERY, "stock levels", sleep, timeout
    )
    return {
        (record["__parentId"], (record.get("location") or {}).get("id")): _available(
            record
        )
        for record in records
        if "__parentId" in record and "location" in record
    }

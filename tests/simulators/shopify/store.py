"""In-memory state of one simulated shop: REST-shaped records per resource kind.

Every resource (orders, products, variants, customers, transactions, webhook
subscriptions, and later refunds, inventory levels, bulk operations...) is a
*kind*: a table of plain dicts keyed by their numeric REST ``id``. Records are
replaced, never mutated in place, so a reader holding one sees a consistent
snapshot while another thread writes. Child records (an order's transactions)
are indexed by their parent's id.
"""

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

GID_PATTERN = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)$")


class NotFound(KeyError):
    """A record asked for by id does not exist."""


def gid(kind, record_id):
    """Return the GraphQL global id of a record."""
    return f"gid://shopify/{kind}/{record_id}"


def parse_gid(text):
    """Return ``(kind, numeric id)`` of a global id, or None if malformed."""
    match = GID_PATTERN.match(text or "")
    if not match:
        return None
    return match["kind"], int(match["id"])


@dataclass(frozen=True)
class ShopInfo:
    """The simulated shop's identity and settings."""

    id: int
    name: str
    domain: str
    currency: str
    timezone: str

    @property
    def zone(self):
        """The shop's timezone, in which REST timestamps are written."""
        return ZoneInfo(self.timezone)


def utc_now():
    """Default clock: the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Store:
    """Thread-safe tables of records, id sequences and the shop clock."""

    def __init__(self, *, id_start, order_number_start, clock=utc_now):
        self.lock = threading.RLock()
        self._clock = clock
        self._next_id = id_start
        self._next_order_number = order_number_start
        self._tables = defaultdict(dict)
        self._children = defaultdict(list)
        self._meta = defaultdict(dict)

    def clear(self, keep=()):
        """Drop every record, except those of the kinds in ``keep``.

        Id and order-number sequences go on: an id is never given twice in
        the life of the simulator, so a client that kept state across a reset
        cannot mistake a new record for an old one.
        """
        with self.lock:
            self._tables = defaultdict(
                dict, {kind: self._tables[kind] for kind in keep}
            )
            self._children = defaultdict(
                list,
                {key: ids for key, ids in self._children.items() if key[0] in keep},
            )
            self._meta = defaultdict(
                dict, {key: data for key, data in self._meta.items() if key[0] in keep}
            )

    def resume_after(self, last_id=0, last_order_number=0):
        """Give new records ids and order numbers after these, for a client
        that kept the records of an earlier run of the simulator."""
        with self.lock:
            self._next_id = max(self._next_id, last_id + 1)
            self._next_order_number = max(
                self._next_order_number, last_order_number + 1
            )

    def now(self):
        """Return the shop clock's current time (aware, UTC)."""
        return self._clock()

    def later_than(self, previous):
        """Return now, or one second after ``previous`` if now is not later.

        Timestamps have seconds precision, so two changes within a second
        still get strictly increasing ``updated_at`` values.
        """
        now = self.now().replace(microsecond=0)
        if previous is not None and now <= previous:
            return previous + timedelta(seconds=1)
        return now

    def next_id(self):
        """Return a new numeric id, unique across all kinds."""
        with self.lock:
            value = self._next_id
            self._next_id += 1
            return value

    def next_order_number(self):
        """Return the next order number (``name`` is ``#`` + number)."""
        with self.lock:
            value = self._next_order_number
            self._next_order_number += 1
            return value

    def insert(self, kind, record, parent_id=None):
        """Add a new record (it carries its ``id``); index it under its parent."""
        with self.lock:
            table = self._tables[kind]
            if record["id"] in table:
                raise KeyError(f"{kind} {record['id']} already exists")
            table[record["id"]] = record
            if parent_id is not None:
                self._children[kind, parent_id].append(record["id"])
            return record

    def replace(self, kind, record):
        """Swap an existing record for its new version."""
        with self.lock:
            table = self._tables[kind]
            if record["id"] not in table:
                raise KeyError(f"{kind} {record['id']} does not exist")
            table[record["id"]] = record
            return record

    def delete(self, kind, record_id):
        """Remove a record; return it, or None if there was none."""
        with self.lock:
            return self._tables[kind].pop(record_id, None)

    def get(self, kind, record_id):
        """Return one record by numeric id, or None."""
        return self._tables[kind].get(record_id)

    def all(self, kind):
        """Return the records of a kind in insertion order."""
        with self.lock:
            return list(self._tables[kind].values())

    def children(self, kind, parent_id):
        """Return the records of ``kind`` indexed under ``parent_id``."""
        with self.lock:
            table = self._tables[kind]
            ids = self._children[kind, parent_id]
            return [table[child_id] for child_id in ids if child_id in table]

    def count(self, kind):
        """Return how many records of a kind exist."""
        return len(self._tables[kind])

    def counts(self):
        """Return ``{kind: count}`` for every non-empty kind."""
        with self.lock:
            return {kind: len(table) for kind, table in self._tables.items() if table}

    def meta(self, kind, record_id):
        """Return the simulator-private data of a record (never sent out)."""
        with self.lock:
            return self._meta[kind, record_id]

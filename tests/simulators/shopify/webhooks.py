"""Webhook subscriptions and their signed, retried, fault-injectable delivery.

Each event (one call to ``emit``) gets an event id; each subscription that
matches its topic gets a delivery with its own webhook id, body and headers,
all fixed once: retries and duplicates resend exactly the same bytes.
Deliveries run on a few background sender threads from a time-ordered queue.
"""

import base64
import hashlib
import heapq
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from urllib.parse import urlparse

import requests

from . import timestamps
from .store import gid

_logger = logging.getLogger(__name__)

TOPICS = {
    "APP_UNINSTALLED": "app/uninstalled",
    "BULK_OPERATIONS_FINISH": "bulk_operations/finish",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_EDITED": "orders/edited",
    "ORDERS_PAID": "orders/paid",
    "ORDERS_UPDATED": "orders/updated",
    "PRODUCTS_UPDATE": "products/update",
    "REFUNDS_CREATE": "refunds/create",
}
TOPIC_ENUMS = {topic: name for name, topic in TOPICS.items()}
CONNECT_TIMEOUT = 1.0
ANSWER_TIMEOUT = 5.0
MAX_BACKOFF = 3600.0


def create_subscription(store, zone, topic, address, api_version, include_fields=()):
    """Store a subscription of ``address`` to a GraphQL ``topic`` enum value.

    Returns ``(subscription, user_errors)``; exactly one of them is empty.
    """
    field_path = ["webhookSubscription", "callbackUrl"]
    parsed = urlparse(address or "")
    if not address:
        return None, [{"field": field_path, "message": "Address can't be blank"}]
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None, [{"field": field_path, "message": "Address is invalid"}]
    rest_topic = TOPICS[topic]
    with store.lock:
        for existing in store.all("WebhookSubscription"):
            if existing["topic"] == rest_topic and existing["address"] == address:
                message = "Address for this topic has already been taken"
                return None, [{"field": field_path, "message": message}]
        now = timestamps.rest(store.now(), zone)
        subscription_id = store.next_id()
        subscription = {
            "id": subscription_id,
            "admin_graphql_api_id": gid("WebhookSubscription", subscription_id),
            "topic": rest_topic,
            "address": address,
            "format": "json",
            "api_version": api_version,
            "include_fields": list(include_fields or ()),
            "created_at": now,
            "updated_at": now,
        }
        return store.insert("WebhookSubscription", subscription), []


@dataclass
class DeliverySettings:
    """Retry policy and delivery faults; rates are fractions between 0 and 1.

    ``delay_ms`` is a fixed delay or a ``[low, high]`` range drawn per
    delivery; ``reorder_batch`` > 1 holds that many deliveries (or whatever
    arrived within ``reorder_window`` seconds) and sends them shuffled.
    """

    max_retries: int = 8
    retry_backoff: float = 1.0
    duplicate_rate: float = 0.0
    drop_rate: float = 0.0
    delay_ms: int | list = 0
    reorder_batch: int = 0
    reorder_window: float = 1.0


@dataclass
class Delivery:
    """One subscription's copy of one event, with what happened to it."""

    webhook_id: str
    event_id: str
    topic: str
    subscription_id: int
    address: str
    body: bytes
    headers: dict
    delay: float = 0.0
    duplicate: bool = False
    state: str = "queued"
    attempts: int = 0
    status_code: int | None = None
    error: str | None = None
    duplicates_sent: int = 0
    history: list = field(default_factory=list)
    generation: int = 0

    def as_log(self):
        """The delivery log entry: ids, topic and outcome, without the body."""
        return {
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "topic": self.topic,
            "subscription_id": self.subscription_id,
            "address": self.address,
            "state": self.state,
            "attempts": self.attempts,
            "status_code": self.status_code,
            "error": self.error,
            "duplicates_sent": self.duplicates_sent,
            "history": list(self.history),
        }


class WebhookDispatcher:
    """Queues, signs, sends and retries webhook deliveries."""

    def __init__(self, *, shop_domain, client_secret, rng, settings, workers=2):
        self._shop_domain = shop_domain
        self._secret = client_secret.encode()
        self._rng = rng
        self._defaults = settings
        self.settings = replace(settings)
        self._workers = workers
        self._cond = threading.Condition()
        self._threads = []
        self._stopping = False
        self._inflight = 0
        self._generation = 0
        self._clear()

    def _clear(self):
        """Empty the queues and the log; sends in flight are ignored when they end."""
        self._generation += 1
        self._queue = []
        self._sequence = 0
        self._held = []
        self._holding = False
        self._reorder = []
        self._reorder_deadline = None
        self._log = []

    def configure(self, **changes):
        """Change delivery settings by name; unknown names raise ValueError."""
        known = {item.name for item in fields(DeliverySettings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown webhook settings: {sorted(unknown)}")
        with self._cond:
            self.settings = replace(self.settings, **changes)
            self._cond.notify_all()

    def reset(self):
        """Forget queued deliveries, the log and every setting change."""
        with self._cond:
            self._clear()
            self.settings = replace(self._defaults)
            self._cond.notify_all()

    def start(self):
        """Start the sender threads."""
        self._stopping = False
        for index in range(self._workers):
            thread = threading.Thread(
                target=self._work, name=f"shopify-sim-webhooks-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout=6.0):
        """Stop the sender threads; queued deliveries are abandoned."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def emit(self, topic, payload, subscriptions, triggered_at=None):
        """Queue one delivery of ``payload`` per subscription; return the event id."""
        event_id = str(uuid.uuid4())
        triggered = (triggered_at or datetime.now(UTC)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        with self._cond:
            for subscription in subscriptions:
                delivery = self._delivery(
                    topic, payload, subscription, event_id, triggered
                )
                self._log.append(delivery)
                if self._rng.random() < self.settings.drop_rate:
                    delivery.state = "dropped"
                    continue
                delivery.duplicate = self._rng.random() < self.settings.duplicate_rate
                delivery.delay = self._draw_delay()
                self._admit(delivery)
            self._cond.notify_all()
        return event_id

    def hold(self):
        """Keep new deliveries back until ``release``."""
        with self._cond:
            self._holding = True

    def release(self):
        """Queue every held delivery; return how many there were."""
        with self._cond:
            held, self._held, self._holding = self._held, [], False
            for delivery in held:
                self._admit(delivery)
            self._cond.notify_all()
            return len(held)

    def wait_idle(self, timeout):
        """Block until nothing is queued or being sent (held ones excepted)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not (self._queue or self._inflight or self._reorder), timeout
            )

    def deliveries(self):
        """Return the delivery log, oldest first."""
        with self._cond:
            return [delivery.as_log() for delivery in self._log]

    def sign(self, body):
        """Return the ``X-Shopify-Hmac-Sha256`` value of a raw body."""
        digest = hmac.new(self._secret, body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def _delivery(self, topic, payload, subscription, event_id, triggered):
        included = subscription.get("include_fields")
        if included:
            payload = {key: value for key, value in payload.items() if key in included}
        body = json.dumps(payload, separators=(",", ":")).encode()
        webhook_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": self.sign(body),
            "X-Shopify-Shop-Domain": self._shop_domain,
            "X-Shopify-API-Version": subscription["api_version"],
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered,
        }
        return Delivery(
            webhook_id=webhook_id,
            event_id=event_id,
            topic=topic,
            subscription_id=subscription["id"],
            address=subscription["address"],
            body=body,
            headers=headers,
            generation=self._generation,
        )

    def _draw_delay(self):
        delay = self.settings.delay_ms
        if isinstance(delay, list | tuple):
            return self._rng.uniform(delay[0], delay[1]) / 1000
        return delay / 1000

    def _admit(self, delivery):
        """Route a delivery to the held list, the reorder batch or the queue."""
        if self._holding:
            delivery.state = "held"
            self._held.append(delivery)
            return
        delivery.state = "queued"
        if self.settings.reorder_batch > 1:
            if not self._reorder:
                self._reorder_deadline = time.monotonic() + self.settings.reorder_window
            self._reorder.append(delivery)
            if len(self._reorder) >= self.settings.reorder_batch:
                self._flush_reorder()
            return
        self._schedule(delivery, delivery.delay)

    def _flush_reorder(self):
        batch, self._reorder = self._reorder, []
        self._rng.shuffle(batch)
        for delivery in batch:
            self._schedule(delivery, delivery.delay)

    def _schedule(self, delivery, after, duplicate=False):
        self._sequence += 1
        due = time.monotonic() + after
        heapq.heappush(self._queue, (due, self._sequence, delivery, duplicate))

    def _next_job(self):
        """Wait for a due job; return it, or None when stopping."""
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                if self._reorder and now >= self._reorder_deadline:
                    self._flush_reorder()
                if self._queue and self._queue[0][0] <= now:
                    _, _, delivery, duplicate = heapq.heappop(self._queue)
                    self._inflight += 1
                    return delivery, duplicate
                wake = [now + 0.5]
                if self._queue:
                    wake.append(self._queue[0][0])
                if self._reorder:
                    wake.append(self._reorder_deadline)
                self._cond.wait(max(min(wake) - now, 0.001))
            return None

    def _work(self):
        session = requests.Session()
        try:
            while (job := self._next_job()) is not None:
                delivery, duplicate = job
                status_code, error = self._post(session, delivery)
                with self._cond:
                    self._inflight -= 1
                    self._record(delivery, duplicate, status_code, error)
                    self._cond.notify_all()
        finally:
            session.close()

    def _post(self, session, delivery):
        try:
            response = session.post(
                delivery.address,
                data=delivery.body,
                headers=delivery.headers,
                timeout=(CONNECT_TIMEOUT, ANSWER_TIMEOUT),
            )
        except requests.RequestException as error:
            return None, f"{type(error).__name__}: {error}"
        return response.status_code, None

    def _record(self, delivery, duplicate, status_code, error):
        """Log one send and decide what follows it: nothing, a retry or a duplicate."""
        if delivery.generation != self._generation:
            return
        delivery.history.append(status_code if error is None else error)
        if duplicate:
            delivery.duplicates_sent += 1
            return
        delivery.attempts += 1
        delivery.status_code, delivery.error = status_code, error
        if error is None and 200 <= status_code < 300:
            delivery.state = "delivered"
            if delivery.duplicate:
                self._schedule(delivery, 0.0, duplicate=True)
            return
        if delivery.attempts > self.settings.max_retries:
            delivery.state = "failed"
            _logger.info(
                "webhook %s %s failed after %s attempts",
                delivery.topic,
                delivery.webhook_id,
                delivery.attempts,
            )
            return
        delivery.state = "retrying"
        backoff = self.settings.retry_backoff * 2 ** (delivery.attempts - 1)
        self._schedule(delivery, min(backoff, MAX_BACKOFF))

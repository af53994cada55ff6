"""``ShopifySimulator``: one simulated shop behind a local Admin API."""

import copy
import hmac
import logging
import random
import re
import threading
import time
from dataclasses import asdict
from http import HTTPStatus

from . import catalog, customers, generator, refunds, timestamps
from .api import GraphQLEndpoint
from .control import ControlApi
from .cost import LeakyBucket
from .faults import DROP, ApiFaults
from .fulfillments import FulfillmentControls
from .idempotency import IdempotencyKeys
from .inventory import InventoryControls
from .orders import PRICING_KEYS, OrderBuilder, rest_tags
from .payouts import PayoutControls
from .returns import ReturnControls
from .schema import build as build_schema
from .schema import enum_values
from .server import DropConnection, HttpServer, Response
from .store import NotFound, ShopInfo, Store, utc_now
from .webhooks import TOPICS, DeliverySettings, WebhookDispatcher, create_subscription

_logger = logging.getLogger(__name__)

DEFAULT_API_VERSION = "2026-10"
GRAPHQL_PATH = re.compile(
    r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/graphql\.json$"
)
INVALID_TOKEN = (
    "[API] Invalid API key or access token (unrecognized login or wrong password)"
)
CATALOG_KINDS = (
    "Product",
    "ProductVariant",
    "InventoryItem",
    "InventoryLevel",
    "Location",
)
ORDER_FIELDS = (
    "note",
    "tags",
    "email",
    "phone",
    "shipping_address",
    "billing_address",
    "fulfillment_status",
    "financial_status",
)
FULFILLMENT_STATUSES = (None, "partial", "fulfilled", "restocked")
CANCEL_REASONS = ("customer", "declined", "fraud", "inventory", "other", "staff")
DEFAULT_TAX_RATES = (
    ("State Tax", "0.06"),
    ("State Tax", "0.0725"),
    ("City Tax", "0.045"),
)


class ShopifySimulator(
    InventoryControls, FulfillmentControls, PayoutControls, ReturnControls
):
    """A stateful Shopify shop: Admin GraphQL API, webhooks, faults, control API.

    Use as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(
        self,
        shop_domain="demo-shop.myshopify.com",
        access_token="shpat_simulator",
        client_secret="simulator-client-secret",
        port=0,
        seed=1,
        *,
        shop_name="Demo Shop",
        currency="USD",
        timezone="America/New_York",
        id_start=5_000_000_001,
        order_number_start=1001,
        bucket_size=2000,
        restore_rate=100,
        throttled_status=200,
        webhook_retries=8,
        webhook_backoff=1.0,
        webhook_workers=2,
        tax_rates=DEFAULT_TAX_RATES,
        clock=utc_now,
    ):
        self.shop = ShopInfo(
            id=id_start - 1,
            name=shop_name,
            domain=shop_domain,
            currency=currency,
            timezone=timezone,
        )
        self._token = access_token
        self._seed = seed
        self._tax_rates = tuple(tax_rates)
        self.store = Store(
            id_start=id_start, order_number_start=order_number_start, clock=clock
        )
        # Mutations that change the catalogue send their webhooks through it.
        self.store.on_webhook = self._emit
        self._orders = OrderBuilder(self.store, currency=currency, zone=self.shop.zone)
        self._schema = build_schema()
        self._currencies = enum_values(self._schema, "CurrencyCode")
        self._countries = enum_values(self._schema, "CountryCode")
        self._bucket = LeakyBucket(bucket_size, restore_rate)
        self._bucket_defaults = (float(bucket_size), float(restore_rate))
        self._keys = IdempotencyKeys()
        self._endpoint = GraphQLEndpoint(
            self._schema, self.store, self.shop, self._bucket, self._keys
        )
        self._endpoint.throttled_status = throttled_status
        self._faults = ApiFaults(random.Random(f"{seed}-api"))
        self._webhooks = WebhookDispatcher(
            shop_domain=shop_domain,
            client_secret=client_secret,
            rng=random.Random(f"{seed}-webhooks"),
            settings=DeliverySettings(
                max_retries=webhook_retries, retry_backoff=webhook_backoff
            ),
            workers=webhook_workers,
        )
        self._rng = random.Random(f"{seed}-orders")
        self._control = ControlApi(self)
        self._http = HttpServer(self.handle, port)
        self._closing = threading.Event()
        self._trickle_stop = None
        self._trickle_rate = 0
        catalog.add_location(self.store, "Shop location")

    # Lifecycle ---------------------------------------------------------------

    def start(self):
        """Start serving on 127.0.0.1 and sending webhooks; return self."""
        self._closing.clear()
        self._http.start()
        self._endpoint.base_url = self.base_url
        self._webhooks.start()
        return self

    def stop(self):
        """Stop the trickle, the server and the webhook senders."""
        self._closing.set()
        self.set_trickle(0)
        self._http.stop()
        self._webhooks.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        """``http://127.0.0.1:PORT`` of the running server."""
        return f"http://127.0.0.1:{self._http.port}"

    def graphql_url(self, version=DEFAULT_API_VERSION):
        """The Admin GraphQL endpoint for an API version."""
        return f"{self.base_url}/admin/api/{version}/graphql.json"

    # Catalog -----------------------------------------------------------------

    def add_product(self, title, variants, **fields):
        """Add a product; ``variants`` are ``{sku, price, barcode?, title?...}``."""
        return catalog.add_product(
            self.store, self.shop.zone, title, variants, **fields
        )

    def add_location(self, name, active=True):
        """Add a stock location."""
        return catalog.add_location(self.store, name, active)

    def seed_demo_catalog(self):
        """Add the demo catalog: a dozen apparel and homeware products."""
        return [
            self.add_product(title, variants, vendor=vendor, product_type=product_type)
            for title, vendor, product_type, variants in catalog.demo_catalog()
        ]

    # Orders ------------------------------------------------------------------

    def create_order(self, spec):
        """Create an order from a spec (see ``orders``); emits orders/create.

        A paid order also emits orders/paid. Returns the REST order.
        """
        self._check_codes(spec)
        with self.store.lock:
            order, transactions = self._orders.create(spec)
            self.store.insert("Order", order)
            self.store.meta("Order", order["id"])["spec"] = copy.deepcopy(spec)
            for transaction in transactions:
                self.store.insert(
                    "OrderTransaction", transaction, parent_id=order["id"]
                )
        self._emit("orders/create", order)
        if order["financial_status"] == "paid":
            self._emit("orders/paid", order)
        return order

    def random_order(self, rng=None):
        """Create a realistic random order from the catalog."""
        variants = [
            variant
            for variant in self.store.all("ProductVariant")
            if self.store.get("Product", variant["product_id"])["status"] == "active"
        ]
        spec = generator.random_order_spec(
            rng or self._rng, variants, self._tax_rates, self.shop.currency
        )
        return self.create_order(spec)

    def get_order(self, order_id):
        """Return the REST order with that numeric id; NotFound if unknown."""
        order = self.store.get("Order", int(order_id))
        if order is None:
            raise NotFound(f"order {order_id} does not exist")
        return order

    def update_order(self, order_id, changes):
        """Change an order; emit orders/updated (and orders/paid once it is paid).

        ``changes`` may hold any of ``ORDER_FIELDS`` and the pricing keys of a
        spec (``lines``, ``order_discount``, ``shipping``, ``taxes``...), which
        re-price the order. ``updated_at`` always moves strictly forward.
        """
        unknown = set(changes) - set(ORDER_FIELDS) - set(PRICING_KEYS)
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)} on an order")
        status = changes.get("financial_status")
        if "fulfillment_status" in changes and (
            changes["fulfillment_status"] not in FULFILLMENT_STATUSES
        ):
            raise ValueError(
                f"fulfillment_status must be one of {FULFILLMENT_STATUSES}"
            )
        with self.store.lock:
            order = self.get_order(order_id)
            previous_status = order["financial_status"]
            meta = self.store.meta("Order", order["id"])
            pricing = {name: changes[name] for name in PRICING_KEYS if name in changes}
            if pricing:
                spec = {**meta["spec"], **copy.deepcopy(pricing)}
                order = self._orders.rebuild(order, spec)
            plain = {name: changes[name] for name in ORDER_FIELDS if name in changes}
            plain.pop("financial_status", None)
            if "tags" in plain:
                plain["tags"] = rest_tags(plain["tags"])
            for name in ("shipping_address", "billing_address"):
                if name in plain:
                    self._check_codes({name: plain[name]})
                    plain[name] = customers.address(plain[name])
            order = {**order, **plain}
            if status and status != previous_status:
                order = self._settle(order, previous_status, status)
            order = self._touched(order)
            self.store.replace("Order", order)
            if pricing:
                meta["spec"] = spec
        self._emit("orders/updated", order)
        if order["financial_status"] == "paid" and previous_status != "paid":
            self._emit("orders/paid", order)
        return order

    def cancel_order(self, order_id, reason="customer"):
        """Cancel an order; emits orders/cancelled then orders/updated."""
        if reason not in CANCEL_REASONS:
            raise ValueError(f"reason must be one of {CANCEL_REASONS}")
        with self.store.lock:
            order = self.get_order(order_id)
            if order["cancelled_at"]:
                raise ValueError(f"order {order['name']} is already cancelled")
            now = timestamps.rest(self.store.now(), self.shop.zone)
            order = self._touched(
                {**order, "cancelled_at": now, "cancel_reason": reason}
            )
            self.store.replace("Order", order)
        self._emit("orders/cancelled", order)
        self._emit("orders/updated", order)
        return order

    def refund_order(self, order_id, spec):
        """Refund part of an order (see ``refunds`` for the spec and amounts);
        a cancelled order can be refunded too.

        Stores the refund and its transaction, emits ``refunds/create`` with
        the REST refund, then ``orders/updated``. Returns the refund.
        """
        with self.store.lock:
            order = self.get_order(order_id)
            locations = self.store.all("Location")
            refund, transactions = refunds.build_refund(
                self.store,
                self.shop.zone,
                order,
                spec,
                default_location_id=locations[0]["id"] if locations else None,
            )
            parent_id = refunds.last_payment_id(self.store, order["id"])
            for transaction in transactions:
                transaction["parent_id"] = parent_id
                self.store.insert(
                    "OrderTransaction", transaction, parent_id=order["id"]
                )
            self.store.insert("Refund", refund, parent_id=order["id"])
            order = self._touched(refunds.refunded_order(order, refund))
            self.store.replace("Order", order)
        self._emit("refunds/create", refund)
        self._emit("orders/updated", order)
        return refund

    def trickle(self, rate_per_minute, stop_event):
        """Create random orders at ``rate_per_minute`` until ``stop_event`` is set.

        Returns the started daemon thread; it also ends when the simulator stops.
        """
        interval = 60.0 / rate_per_minute

        def run():
            while not stop_event.wait(interval) and not self._closing.is_set():
                try:
                    self.random_order()
                except ValueError as error:
                    _logger.warning("trickle stopped: %s", error)
                    return

        thread = threading.Thread(target=run, name="shopify-sim-trickle", daemon=True)
        thread.start()
        return thread

    def set_trickle(self, per_minute):
        """Run the simulator's own trickle at ``per_minute`` (0 stops it)."""
        if self._trickle_stop is not None:
            self._trickle_stop.set()
            self._trickle_stop = None
        self._trickle_rate = per_minute
        if per_minute > 0:
            self._trickle_stop = threading.Event()
            self.trickle(per_minute, self._trickle_stop)

    def _settle(self, order, previous_status, status):
        """Record the payment that turns ``previous_status`` into ``status``."""
        if status != "paid" or previous_status not in ("pending", "authorized"):
            raise ValueError(f"cannot go from {previous_status!r} to {status!r}")
        now = timestamps.rest(self.store.now(), self.shop.zone)
        gateway = order["payment_gateway_names"][0]
        kind = "capture" if previous_status == "authorized" else "sale"
        transaction = self._orders.transaction(order, kind, gateway, now)
        if kind == "capture":
            authorizations = self.store.children("OrderTransaction", order["id"])
            transaction["parent_id"] = authorizations[-1]["id"]
        self.store.insert("OrderTransaction", transaction, parent_id=order["id"])
        return self._orders.with_financial_status(order, "paid")

    def _touched(self, order):
        previous = timestamps.parse(order["updated_at"])
        updated = self.store.later_than(previous)
        return {**order, "updated_at": timestamps.rest(updated, self.shop.zone)}

    def _check_codes(self, spec):
        """Refuse currency and country codes that Shopify's enums do not have."""
        for name in ("currency", "presentment_currency"):
            code = spec.get(name)
            if code is not None and code not in self._currencies:
                raise ValueError(f"{name} {code!r} is not a Shopify CurrencyCode")
        for name in ("shipping_address", "billing_address"):
            code = (spec.get(name) or {}).get("country_code")
            if code is not None and code not in self._countries:
                raise ValueError(f"{name} country_code {code!r} is not a CountryCode")

    # Webhooks ----------------------------------------------------------------

    def subscribe(
        self, topic, address, api_version=DEFAULT_API_VERSION, include_fields=()
    ):
        """Subscribe ``address`` to a topic enum value (``"ORDERS_CREATE"``).

        The same as the ``webhookSubscriptionCreate`` mutation; raises
        ValueError with its user errors.
        """
        subscription, errors = create_subscription(
            self.store, self.shop.zone, topic, address, api_version, include_fields
        )
        if errors:
            raise ValueError(errors[0]["message"])
        return subscription

    def emit(self, topic, payload):
        """Send a REST-topic webhook (``"products/update"``) to its subscribers."""
        if topic not in TOPICS.values():
            raise ValueError(f"unknown topic {topic!r}")
        return self._emit(topic, payload)

    def _emit(self, topic, payload):
        subscriptions = [
            subscription
            for subscription in self.store.all("WebhookSubscription")
            if subscription["topic"] == topic
        ]
        return self._webhooks.emit(topic, payload, subscriptions)

    def hold_webhooks(self):
        """Keep new webhook deliveries back until ``release_webhooks``."""
        self._webhooks.hold()

    def release_webhooks(self):
        """Send the held deliveries; return how many there were."""
        return self._webhooks.release()

    def deliveries(self):
        """The delivery log: webhook_id, event_id, topic, state, status_code,
        error, attempts, duplicates_sent and the status of each send."""
        return self._webhooks.deliveries()

    def wait_for_deliveries(self, timeout=10.0):
        """Block until no delivery is queued or in flight; return whether it is so."""
        return self._webhooks.wait_idle(timeout)

    def sign(self, body):
        """The HMAC header value this shop puts on a raw webhook body."""
        return self._webhooks.sign(body)

    # Faults and throttling ---------------------------------------------------

    def set_faults(self, api=None, webhooks=None):
        """Change API fault settings (``ApiFaultSettings`` names) and webhook
        delivery settings (``DeliverySettings`` names); return both."""
        if api:
            self._faults.configure(**api)
        if webhooks:
            self._webhooks.configure(**webhooks)
        return self.faults()

    def faults(self):
        """Current API fault and webhook delivery settings."""
        return {
            "api": asdict(self._faults.settings),
            "webhooks": asdict(self._webhooks.settings),
        }

    def fail_next(self, count, outcome=503):
        """Make the next ``count`` API requests fail with a status or ``"drop"``."""
        self._faults.fail_next(count, outcome if outcome == DROP else int(outcome))

    def set_throttle(
        self,
        maximum_available=None,
        restore_rate=None,
        currently_available=None,
        http_status=None,
    ):
        """Change the cost bucket, and the HTTP status of throttled answers
        (200 as Shopify documents it, or 429); return the throttle status."""
        self._bucket.configure(maximum_available, restore_rate, currently_available)
        if http_status is not None:
            self._endpoint.throttled_status = int(http_status)
        return self._bucket.status()

    # State -------------------------------------------------------------------

    def reset(self, keep_catalog=False, keep_subscriptions=False):
        """Forget orders, customers, deliveries, faults and idempotency keys.

        The catalog (products, variants, inventory items, locations) and the
        webhook subscriptions go too unless kept. Ids are never reused.
        """
        self.set_trickle(0)
        keep = (CATALOG_KINDS if keep_catalog else ()) + (
            ("WebhookSubscription",) if keep_subscriptions else ()
        )
        self.store.clear(keep)
        if not keep_catalog:
            catalog.add_location(self.store, "Shop location")
        self._keys.clear()
        self._faults.reset()
        self._webhooks.reset()
        maximum, restore = self._bucket_defaults
        self._bucket.configure(maximum, restore, maximum)
        self._rng = random.Random(f"{self._seed}-orders")

    def state(self):
        """Counts of records and deliveries, trickle rate and throttle status."""
        deliveries = self._webhooks.deliveries()
        by_state = {}
        for delivery in deliveries:
            by_state[delivery["state"]] = by_state.get(delivery["state"], 0) + 1
        return {
            "records": self.store.counts(),
            "deliveries": {"total": len(deliveries), **by_state},
            "trickle_per_minute": self._trickle_rate,
            "throttle": self._bucket.status(),
        }

    # HTTP --------------------------------------------------------------------

    def handle(self, request):
        """Answer one HTTP request: Admin API or ``/_sim/`` control API."""
        if request.path.startswith("/_sim/"):
            return self._control.handle(request)
        match = GRAPHQL_PATH.match(request.path)
        if match is None:
            return Response(404, {"errors": "Not Found"})
        if request.method != "POST":
            return Response(405, {"errors": "Method Not Allowed"})
        delay, fault = self._faults.decide()
        if delay:
            time.sleep(delay)
        if fault is not None:
            return self._fault_response(fault)
        token = request.headers.get("X-Shopify-Access-Token") or ""
        if not hmac.compare_digest(token.encode(), self._token.encode()):
            return Response(401, {"errors": INVALID_TOKEN})
        content_type = request.headers.get("Content-Type") or ""
        if content_type.startswith("application/graphql"):
            body = {"query": request.body.decode("utf-8", "replace")}
        else:
            try:
                body = request.json()
            except ValueError:
                return Response(400, {"errors": "Invalid JSON in request body"})
            if not isinstance(body, dict):
                return Response(
                    400, {"errors": "The request body must be a JSON object"}
                )
        status, payload = self._endpoint.handle(body, match["version"])
        return Response(status, payload)

    @staticmethod
    def _fault_response(fault):
        if fault.outcome == DROP:
            raise DropConnection
        if fault.outcome == 429:
            return Response(
                429,
                {"errors": "Too many requests: retry later"},
                {"Retry-After": str(fault.retry_after)},
            )
        return Response(fault.outcome, {"errors": HTTPStatus(fault.outcome).phrase})

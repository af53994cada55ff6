"""The ``/_sim/`` control API: drive the simulator from another process.

JSON in, JSON out, no token (the server only listens on 127.0.0.1).
"""

import re

from .inventory import bulk_jsonl
from .server import Response
from .store import NotFound

ROUTES = [
    ("GET", r"/_sim/state", "state"),
    ("POST", r"/_sim/reset", "reset"),
    ("POST", r"/_sim/products", "add_product"),
    ("POST", r"/_sim/locations", "add_location"),
    ("POST", r"/_sim/orders", "create_order"),
    ("POST", r"/_sim/orders/random", "random_orders"),
    ("GET", r"/_sim/orders/(?P<order_id>\d+)", "get_order"),
    ("POST", r"/_sim/orders/(?P<order_id>\d+)/update", "update_order"),
    ("POST", r"/_sim/orders/(?P<order_id>\d+)/cancel", "cancel_order"),
    ("POST", r"/_sim/orders/(?P<order_id>\d+)/exchange", "exchange_order"),
    ("POST", r"/_sim/faults", "set_faults"),
    ("POST", r"/_sim/throttle", "set_throttle"),
    ("GET", r"/_sim/deliveries", "deliveries"),
    ("POST", r"/_sim/webhooks/subscribe", "subscribe"),
    ("POST", r"/_sim/webhooks/emit", "emit"),
    ("POST", r"/_sim/webhooks/hold", "hold"),
    ("POST", r"/_sim/webhooks/release", "release"),
    ("POST", r"/_sim/webhooks/wait", "wait"),
    ("POST", r"/_sim/trickle", "trickle"),
    ("GET", r"/_sim/bulk/(?P<operation_id>\d+)\.jsonl", "bulk_result"),
    ("POST", r"/_sim/inventory", "set_inventory_level"),
    ("GET", r"/_sim/orders/(?P<order_id>\d+)/fulfillments", "fulfillments"),
    ("POST", r"/_sim/payouts", "create_payout"),
    ("POST", r"/_sim/balance_transactions", "add_balance_transaction"),
]


class ControlApi:
    """Maps each control route to a ``ShopifySimulator`` call."""

    def __init__(self, simulator):
        self._sim = simulator
        self._routes = [
            (method, re.compile(f"^{pattern}$"), getattr(self, name))
            for method, pattern, name in ROUTES
        ]

    def handle(self, request):
        """Route a request; bad input is a 400, an unknown record a 404."""
        for method, pattern, action in self._routes:
            match = pattern.match(request.path)
            if match and request.method == method:
                try:
                    return action(request.json(), **match.groupdict())
                except NotFound as error:
                    return Response(404, {"error": error.args[0]})
                except KeyError as error:
                    return Response(400, {"error": f"missing field {error.args[0]!r}"})
                except (ValueError, TypeError, AttributeError) as error:
                    return Response(400, {"error": str(error)})
        return Response(
            404, {"error": f"no control route {request.method} {request.path}"}
        )

    def state(self, _body):
        return Response(200, self._sim.state())

    def reset(self, body):
        self._sim.reset(
            keep_catalog=bool(body.get("keep_catalog")),
            keep_subscriptions=bool(body.get("keep_subscriptions")),
        )
        return Response(200, self._sim.state())

    def add_product(self, body):
        fields = dict(body)
        title, variants = fields.pop("title"), fields.pop("variants")
        return Response(201, self._sim.add_product(title, variants, **fields))

    def add_location(self, body):
        return Response(
            201, self._sim.add_location(body["name"], body.get("active", True))
        )

    def create_order(self, body):
        return Response(201, self._sim.create_order(body))

    def random_orders(self, body):
        orders = [self._sim.random_order() for _ in range(int(body.get("count", 1)))]
        summary = [
            {
                "id": order["id"],
                "admin_graphql_api_id": order["admin_graphql_api_id"],
                "name": order["name"],
                "total_price": order["total_price"],
            }
            for order in orders
        ]
        return Response(201, {"orders": summary})

    def get_order(self, _body, order_id):
        return Response(200, self._sim.get_order(order_id))

    def update_order(self, body, order_id):
        return Response(200, self._sim.update_order(order_id, body))

    def cancel_order(self, body, order_id):
        return Response(
            200, self._sim.cancel_order(order_id, body.get("reason", "customer"))
        )

    def exchange_order(self, body, order_id):
        return Response(201, self._sim.exchange_order(order_id, body))

    def set_faults(self, body):
        faults = self._sim.set_faults(
            api=body.get("api"), webhooks=body.get("webhooks")
        )
        fail_next = body.get("fail_next")
        if fail_next:
            self._sim.fail_next(fail_next["count"], fail_next.get("outcome", 503))
        return Response(200, faults)

    def set_throttle(self, body):
        return Response(200, self._sim.set_throttle(**body))

    def deliveries(self, _body):
        return Response(200, {"deliveries": self._sim.deliveries()})

    def subscribe(self, body):
        return Response(201, self._sim.subscribe(**body))

    def emit(self, body):
        return Response(
            200, {"event_id": self._sim.emit(body["topic"], body["payload"])}
        )

    def hold(self, _body):
        self._sim.hold_webhooks()
        return Response(200, {"held": True})

    def release(self, _body):
        return Response(200, {"released": self._sim.release_webhooks()})

    def wait(self, body):
        idle = self._sim.wait_for_deliveries(float(body.get("timeout", 10)))
        return Response(200, {"idle": idle})

    def trickle(self, body):
        self._sim.set_trickle(float(body.get("per_minute", 0)))
        return Response(200, {"per_minute": self._sim.state()["trickle_per_minute"]})

    def bulk_result(self, _body, operation_id):
        content = bulk_jsonl(self._sim.store, int(operation_id))
        if content is None:
            raise NotFound(f"bulk operation {operation_id} has no result (yet)")
        return Response(200, content.encode(), {"Content-Type": "application/jsonl"})

    def set_inventory_level(self, body):
        fields = dict(body)
        level = self._sim.set_inventory_level(
            fields.pop("item"), fields.pop("location", None), **fields
        )
        return Response(200, level)

    def fulfillments(self, _body, order_id):
        return Response(200, {"fulfillments": self._sim.fulfillments(order_id)})

    def create_payout(self, body):
        return Response(
            201, self._sim.create_payout(body.get("date"), body.get("status", "paid"))
        )

    def add_balance_transaction(self, body):
        return Response(201, self._sim.add_balance_transaction(**body))

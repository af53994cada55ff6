"""Turning delivered quantities into one ``fulfillmentCreate`` call.

Free of any Odoo model: the caller gives the quantities shipped per Shopify
line item and the order's fulfilment orders as read from the API; this
module says which fulfilment order lines they take, in the order Shopify
lists them, and refuses what Shopify no longer has open to fulfil.
"""

from dataclasses import dataclass, field

from odoo.addons.retail_connector_base.exceptions import BusinessError

from .. import const

FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!, $first: Int!, $lines: Int!) {
  order(id: $id) {
    id
    name
    fulfillmentOrders(first: $first) {
      nodes {
        id
        status
        lineItems(first: $lines) {
          nodes { id remainingQuantity lineItem { id } }
        }
      }
    }
  }
}
"""

ORDER_FULFILLMENTS = """
query OrderFulfillments($id: ID!, $first: Int!, $lines: Int!) {
  order(id: $id) {
    fulfillments(first: $first) {
      id
      status
      trackingInfo(first: 1) { company number }
      fulfillmentLineItems(first: $lines) {
        nodes { quantity lineItem { id } }
      }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id name status trackingInfo(first: 1) { company number url } }
    userErrors { field message }
  }
}
"""


@dataclass
class FulfillmentPlan:
    """Lines of each fulfilment order to fulfil, and what could not be placed."""

    groups: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)

    def input(self, tracking=None, notify_customer=False):
        """The ``FulfillmentInput`` of the plan."""
        value = {
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": order_id,
                    "fulfillmentOrderLineItems": [
                        {"id": line_id, "quantity": quantity}
                        for line_id, quantity in lines.items()
                    ],
                }
                for order_id, lines in self.groups.items()
            ],
            "notifyCustomer": bool(notify_customer),
        }
        tracking = {key: value for key, value in (tracking or {}).items() if value}
        if tracking:
            value["trackingInfo"] = tracking
        return value


def plan_fulfillment(shipped, fulfillment_orders):
    """Place ``{line item gid: quantity}`` on the open fulfilment order lines.

    ``fulfillment_orders`` are the nodes of ``order.fulfillmentOrders``.
    Quantities that no open line has room for are in ``missing``.
    """
    plan = FulfillmentPlan()
    left = {gid: quantity for gid, quantity in shipped.items() if quantity > 0}
    for order in fulfillment_orders:
        if order["status"] not in const.FULFILLMENT_ORDER_OPEN_STATUSES:
            continue
        for line in order["lineItems"]["nodes"]:
            gid = line["lineItem"]["id"]
            take = min(left.get(gid, 0), line["remainingQuantity"])
            if take <= 0:
                continue
            plan.groups.setdefault(order["id"], {})[line["id"]] = take
            left[gid] -= take
    plan.missing = {gid: quantity for gid, quantity in left.items() if quantity}
    return plan


def matching_fulfillment(fulfillments, shipped, tracking_number, taken=()):
    """The fulfilment of the order that ships exactly ``shipped`` (with that
    tracking number when one is given), not one of ``taken``; or None."""
    wanted = {gid: quantity for gid, quantity in shipped.items() if quantity}
    for fulfillment in reversed(fulfillments or []):
        if fulfillment["id"] in taken or fulfillment["status"] != "SUCCESS":
            continue
        lines = {}
        for line in fulfillment["fulfillmentLineItems"]["nodes"]:
            gid = line["lineItem"]["id"]
            lines[gid] = lines.get(gid, 0) + (line["quantity"] or 0)
        numbers = [info.get("number") for info in fulfillment["trackingInfo"]]
        if lines == wanted and (not tracking_number or tracking_number in numbers):
            return fulfillment
    return None


def user_errors_message(errors):
    return "; ".join(
        f"{'.'.join(error.get('field') or [])}: {error['message']}".lstrip(": ")
        for error in errors
    )


def check_user_errors(errors, order_name):
    if errors:
        raise BusinessError(
            f"Shopify refused the fulfilment of order {order_name}: "
            f"{user_errors_message(errors)}. Check the order's open quantities "
            "in Shopify, then retry the job.",
            code="fulfillment_refused",
        )

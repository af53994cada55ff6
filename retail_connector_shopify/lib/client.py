"""Client of the Shopify GraphQL Admin API.

It reads the cost of every answer and waits before a call that the
remaining budget could not pay for, instead of running into throttling.
"""

import logging
import threading
import time

from odoo.addons.retail_connector_base.exceptions import (
    BusinessError,
    FatalBackendError,
    RetryableError,
)
from odoo.addons.retail_connector_base.lib.http_client import JsonHttpClient

from .. import const

_logger = logging.getLogger(__name__)

# Budget last seen per shop, shared by the clients of one Odoo process.
_budgets = {}
_budgets_lock = threading.Lock()


class CostBudget:
    """Leaky-bucket view of a shop's GraphQL budget, from the last answer."""

    def __init__(self):
        self.available = None
        self.maximum = None
        self.restore_rate = None
        self.seen_at = None

    def update(self, throttle_status):
        self.available = float(throttle_status.get("currentlyAvailable") or 0)
        self.maximum = float(throttle_status.get("maximumAvailable") or 0)
        self.restore_rate = float(throttle_status.get("restoreRate") or 0)
        self.seen_at = time.monotonic()

    def seconds_to_afford(self, cost):
        """Seconds to wait before ``cost`` points are available (0 if now)."""
        if self.available is None or not self.restore_rate:
            return 0.0
        elapsed = time.monotonic() - self.seen_at
        available = min(self.maximum, self.available + elapsed * self.restore_rate)
        missing = cost + const.COST_SAFETY_MARGIN - available
        return max(missing / self.restore_rate, 0.0)


class ShopifyClient(JsonHttpClient):
    """GraphQL calls for one shop and one API version."""

    def __init__(self, base_url, api_version, access_token, max_wait=10.0, **kwargs):
        super().__init__(base_url, **kwargs)
        self.api_version = api_version
        self._access_token = access_token
        self.max_wait = max_wait
        with _budgets_lock:
            self.budget = _budgets.setdefault(self.base_url, CostBudget())

    def _headers(self):
        headers = super()._headers()
        headers["X-Shopify-Access-Token"] = self._access_token
        return headers

    def execute(self, query, variables=None, expected_cost=10):
        """Run one GraphQL document and return its ``data``.

        Throttling and server errors raise :class:`RetryableError`; a refused
        token raises :class:`FatalBackendError`; GraphQL errors in the answer
        raise :class:`BusinessError` with their messages.
        """
        wait = self.budget.seconds_to_afford(expected_cost)
        if wait > self.max_wait:
            raise RetryableError("Shopify API budget exhausted", retry_after=wait)
        if wait:
            time.sleep(wait)

        path = f"/admin/api/{self.api_version}/graphql.json"
        answer = self._post_json(path, {"query": query, "variables": variables or {}})
        cost = (answer.get("extensions") or {}).get("cost") or {}
        if cost.get("throttleStatus"):
            self.budget.update(cost["throttleStatus"])

        errors = answer.get("errors")
        if errors:
            if isinstance(errors, str):
                raise FatalBackendError(f"Shopify refused the call: {errors}")
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if "THROTTLED" in codes:
                raise RetryableError(
                    "Shopify throttled the call",
                    retry_after=self.budget.seconds_to_afford(expected_cost) or 1.0,
                )
            if codes & {"ACCESS_DENIED", "UNAUTHORIZED"}:
                raise FatalBackendError(
                    "Shopify denied access: "
                    + "; ".join(e.get("message", "") for e in errors)
                )
            if "INTERNAL_SERVER_ERROR" in codes:
                raise RetryableError("Shopify reported an internal error")
            raise BusinessError(
                "Shopify rejected the query: "
                + "; ".join(e.get("message", "") for e in errors),
                code="api_error",
            )
        return answer.get("data") or {}

    def paginate(self, query, variables, connection, expected_cost=10):
        """Yield the nodes of a top-level connection, page after page."""
        after = None
        while True:
            data = self.execute(query, dict(variables, after=after), expected_cost)
            page = data[connection]
            yield from page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

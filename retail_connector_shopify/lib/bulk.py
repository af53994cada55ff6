"""Bulk reads: one query run by Shopify in the background, read as JSONL."""

import json
import time

from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from .. import const
from . import queries


def run_bulk_query(client, query, what, sleep=time.sleep, timeout=None):
    """Run one bulk query and return the records of its JSONL result, in order.

    Children of nested connections come as their own records carrying
    ``__parentId``. ``what`` names the read in error messages ("the
    catalogue", "stock levels").
    """
    timeout = const.BULK_POLL_TIMEOUT_SECONDS if timeout is None else timeout
    started = client.execute(
        queries.BULK_OPERATION_RUN_QUERY,
        {"query": query},
        expected_cost=const.MUTATION_COST,
    )["bulkOperationRunQuery"]
    if started["userErrors"]:
        raise BusinessError(
            f"Shopify refused the bulk read of {what}: "
            + "; ".join(error["message"] for error in started["userErrors"]),
            code="bulk_refused",
        )
    operation_id = started["bulkOperation"]["id"]
    deadline = time.monotonic() + timeout
    while True:
        operation = client.execute(
            queries.BULK_OPERATION, {"id": operation_id}, expected_cost=1
        )["node"]
        if operation["status"] in const.BULK_DONE_STATUSES:
            break
        if time.monotonic() > deadline:
            raise RetryableError(
                f"The bulk read of {what} {operation_id} is still running."
            )
        sleep(const.BULK_POLL_SECONDS)
    if operation["status"] != "COMPLETED":
        raise RetryableError(
            f"The bulk read of {what} ended {operation['status']} "
            f"({operation.get('errorCode')})."
        )
    if not operation.get("url"):
        return []  # nothing matched: Shopify gives no file
    response = client.session.get(operation["url"], timeout=client.timeout)
    if response.status_code != 200:
        raise RetryableError(
            f"Downloading the bulk result failed: HTTP {response.status_code}"
        )
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]

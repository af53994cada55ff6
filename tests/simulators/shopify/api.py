"""The Admin GraphQL endpoint: parse, validate, cost, throttle, execute."""

import logging
from dataclasses import dataclass

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from .cost import MAX_QUERY_COST, QueryCost
from .resolvers import default_resolver
from .server import DropConnection

_logger = logging.getLogger(__name__)

THROTTLED = {
    "message": "Throttled",
    "extensions": {
        "code": "THROTTLED",
        "documentation": "https://shopify.dev/api/usage/rate-limits",
    },
}


@dataclass
class RequestContext:
    """What resolvers may use: the shop's state and the request's API version."""

    store: object
    shop: object
    api_version: str
    idempotency_keys: object
    base_url: str = ""
    bulk: bool = False
    bulk_polls: int = 1


class GraphQLEndpoint:
    """Answers one GraphQL request body with ``(HTTP status, JSON body)``."""

    def __init__(self, schema, store, shop, bucket, idempotency_keys):
        self._schema = schema
        self._store = store
        self._shop = shop
        self._bucket = bucket
        self._keys = idempotency_keys
        self.throttled_status = 200
        self.base_url = ""
        self.bulk_polls = 1
        self.drop_after_run = 0
        self._calls = 0
        self._throttled = 0

    def counters(self):
        """GraphQL requests answered and throttled since the last reset."""
        return {"calls": self._calls, "throttled": self._throttled}

    def reset_counters(self):
        self._calls = self._throttled = 0

    def handle(self, body, api_version):
        """Run ``{"query", "variables", "operationName"}`` against the shop."""
        query = body.get("query")
        if not isinstance(query, str):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        try:
            document = parse(query)
        except GraphQLError as error:
            return 200, {"errors": [error.formatted]}
        errors = validate(self._schema, document)
        if errors:
            return 200, {"errors": [error.formatted for error in errors]}
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (
                "An operation name is required"
                if operation_name is None
                else (f"No operation named '{operation_name}'")
            )
            return 200, {"errors": [{"message": message}]}
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        cost = QueryCost(self._schema, operation, fragments, variables)
        requested = cost.requested()
        if requested > MAX_QUERY_COST:
            return 200, self._too_costly(requested)
        self._calls += 1
        if not self._bucket.take(requested):
            self._throttled += 1
            throttled = {
                "errors": [THROTTLED],
                "extensions": self._cost(requested, None),
            }
            return self.throttled_status, throttled

        context = RequestContext(
            self._store,
            self._shop,
            api_version,
            self._keys,
            base_url=self.base_url,
            bulk_polls=self.bulk_polls,
        )
        result = execute(
            self._schema,
            document,
            variable_values=variables,
            operation_name=operation_name,
            context_value=context,
            field_resolver=default_resolver,
        )
        actual = min(cost.actual(result.data), requested)
        self._bucket.refund(requested - actual)
        if self.drop_after_run > 0:
            self.drop_after_run -= 1
            raise DropConnection
        return 200, self._envelope(result, requested, actual)

    def _envelope(self, result: ExecutionResult, requested, actual):
        response = {}
        if result.errors:
            for error in result.errors:
                if error.original_error and not isinstance(
                    error.original_error, GraphQLError
                ):
                    _logger.error(
                        "resolver failed: %s",
                        error.message,
                        exc_info=error.original_error,
                    )
            response["errors"] = [error.formatted for error in result.errors]
        response["data"] = result.data
        response["extensions"] = self._cost(requested, actual)
        return response

    def _cost(self, requested, actual):
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": self._bucket.status(),
            }
        }

    def _too_costly(self, requested):
        message = (
            f"Query cost is {requested}, which exceeds the single query max cost "
            f"limit ({MAX_QUERY_COST}). Ask for smaller pages or use a bulk operation."
        )
        error = {
            "message": message,
            "extensions": {
                "code": "MAX_COST_EXCEEDED",
                "cost": requested,
                "maxCost": MAX_QUERY_COST,
            },
        }
        return {"errors": [error], "extensions": self._cost(requested, None)}

"""Local, stateful simulator of the Shopify Admin GraphQL API and its webhooks."""

from .simulator import DEFAULT_API_VERSION, ShopifySimulator

__all__ = ["DEFAULT_API_VERSION", "ShopifySimulator"]

"""Configure the demo database against the Shopify simulator.

Creates (or refreshes) the Shopify backend, its tax and payment mappings and
the Odoo products of the shop's catalogue, registers the webhooks, then asks
the simulator for a steady trickle of orders.
"""

import argparse
import os
import sys
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from tests.support.odoo_setup import configure_shopify_backend  # noqa: E402

ORDERS_PER_MINUTE = 6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--simulator-url", required=True)
    parser.add_argument("--odoo-url", required=True)
    parser.add_argument(
        "--shop",
        default=os.environ.get("RETAIL_DEMO_SHOPIFY_SHOP", "demo-shop.myshopify.com"),
    )
    parser.add_argument("--per-minute", type=int, default=ORDERS_PER_MINUTE)
    args = parser.parse_args()

    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = configure_shopify_backend(
            env,
            name="Demo shop",
            shop_domain=args.shop,
            api_url=args.simulator_url,
            access_token=os.environ["RETAIL_DEMO_SHOPIFY_TOKEN"],
            webhook_secret=os.environ["RETAIL_DEMO_SHOPIFY_SECRET"],
            webhook_base_url=args.odoo_url,
        )
        print(f"Backend '{backend.name}' configured (id {backend.id}).")

    requests.post(
        f"{args.simulator_url}/_sim/trickle",
        json={"per_minute": args.per_minute},
        timeout=10,
    ).raise_for_status()
    print(f"The simulator now sends about {args.per_minute} orders a minute.")


if __name__ == "__main__":
    main()

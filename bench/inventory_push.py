"""Benchmark: pushing N variant-location quantities to Shopify.

Contract:

* No database and no Odoo server: the connector's push code
  (``retail_connector_shopify.lib.inventory_push.InventoryPusher`` with the
  real ``ShopifyClient``) runs in this process against the in-process
  simulator over HTTP. Idempotency keys are kept in memory
  (``MemoryKeys``) instead of ``retail.outbound.call``.
* The shop gets ``--quantities / --locations`` products of one variant each,
  stocked at ``--locations`` locations with a random quantity; the push sets
  every level to another random quantity, each carrying the quantity Shopify
  had as ``changeFromQuantity``. A second, smaller run gives ``--stale``
  levels a quantity changed behind the pusher's back first, so that the
  stale-quantity path (read again, retry) is measured too.
* Reports the API calls used against the fewest the API allows
  (ceil(N / 250)), wall time, throttled answers, and checks that every level
  in the shop ends at the pushed quantity. Writes
  ``bench/results/inventory_push.json``; exits 1 if a level is wrong.
"""

import argparse
import datetime
import json
import math
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import odoo.addons  # noqa: E402

odoo.addons.__path__.append(str(ROOT))

from odoo.addons.retail_connector_shopify import const  # noqa: E402
from odoo.addons.retail_connector_shopify.lib.client import ShopifyClient  # noqa: E402
from odoo.addons.retail_connector_shopify.lib.inventory_push import (  # noqa: E402
    InventoryPusher,
    LevelPush,
    MemoryKeys,
)

from tests.simulators.shopify import ShopifySimulator  # noqa: E402

TOKEN = "shpat_bench"
VERSION = "2026-04"


def build_shop(sim, items, locations, rng):
    """Products, locations and stocked levels; return the LevelPush list."""
    for index in range(1, locations):
        sim.add_location(f"Store {index}")
    location_gids = [loc["admin_graphql_api_id"] for loc in sim.store.all("Location")]
    levels = []
    for index in range(items):
        sku = f"BENCH-{index:05d}"
        sim.add_product(f"Bench {index}", [{"sku": sku, "price": "1.00"}])
    for item in sim.store.all("InventoryItem"):
        for location in sim.store.all("Location"):
            quantity = rng.randint(0, 50)
            sim.set_inventory_level(item["id"], location["id"], available=quantity)
            levels.append(
                LevelPush(
                    handle=(item["id"], location["id"]),
                    inventory_item_id=item["admin_graphql_api_id"],
                    location_id=location["admin_graphql_api_id"],
                    quantity=quantity + rng.randint(1, 20),
                    known_quantity=quantity,
                )
            )
    assert len(location_gids) == locations
    return levels


def measure(sim, client, levels, name):
    sim.reset_api_counters()
    started = time.monotonic()
    report = InventoryPusher(client, MemoryKeys(), f"bench:{name}").push(levels)
    elapsed = time.monotonic() - started
    counters = sim.api_counters()
    wrong = [
        level
        for level in levels
        if sim.inventory_level(*level.handle)["available"] != level.quantity
    ]
    minimum = math.ceil(len(levels) / const.INVENTORY_SET_BATCH_SIZE)
    return {
        "quantities": len(levels),
        "pushed": len(report.pushed),
        "refused": len(report.failed),
        "api_calls": counters["calls"],
        "set_calls": report.calls,
        "fewest_calls_possible": minimum,
        "rereads": report.rereads,
        "throttled": counters["throttled"],
        "seconds": round(elapsed, 3),
        "quantities_per_second": round(len(levels) / elapsed, 1),
        "wrong_levels": len(wrong),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quantities", type=int, default=10_000)
    parser.add_argument("--locations", type=int, default=2)
    parser.add_argument("--stale", type=int, default=25)
    parser.add_argument("--bucket", type=float, default=2000)
    parser.add_argument("--restore-rate", type=float, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--output", default=str(ROOT / "bench" / "results" / "inventory_push.json")
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = math.ceil(args.quantities / args.locations)
    with ShopifySimulator(
        access_token=TOKEN, bucket_size=args.bucket, restore_rate=args.restore_rate
    ) as sim:
        build_started = time.monotonic()
        levels = build_shop(sim, items, args.locations, rng)[: args.quantities]
        build_seconds = time.monotonic() - build_started
        client = ShopifyClient(sim.base_url, VERSION, TOKEN, max_wait=60.0)
        full = measure(sim, client, levels, "full")

        # Stale run: every level changes again, some were sold in Shopify.
        for level in levels:
            level.known_quantity = level.quantity
            level.quantity += 1
        for level in rng.sample(levels, min(args.stale, len(levels))):
            item_id, location_id = level.handle
            sim.set_inventory_level(item_id, location_id, available=0)
        stale = measure(sim, client, levels, "stale")

    results = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "api_version": VERSION,
        "bucket": args.bucket,
        "restore_rate": args.restore_rate,
        "shop_build_seconds": round(build_seconds, 1),
        "full_push": full,
        "push_with_stale_levels": {"stale_levels": args.stale, **stale},
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    rows = [("full push", full), (f"{args.stale} stale levels", stale)]
    print(
        f"{'run':<18} {'quantities':>10} {'calls':>6} {'fewest':>6} "
        f"{'rereads':>7} {'throttled':>9} {'seconds':>8} {'qty/s':>8}"
    )
    for name, row in rows:
        print(
            f"{name:<18} {row['quantities']:>10} {row['api_calls']:>6} "
            f"{row['fewest_calls_possible']:>6} {row['rereads']:>7} "
            f"{row['throttled']:>9} {row['seconds']:>8} "
            f"{row['quantities_per_second']:>8}"
        )
    if full["wrong_levels"] or stale["wrong_levels"]:
        print("Some levels do not have the pushed quantity.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

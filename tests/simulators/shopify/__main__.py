"""Run the simulator from a shell: ``python -m tests.simulators.shopify``.

Prints one line with its URL when ready and serves until SIGTERM or SIGINT.
"""

import argparse
import logging
import signal
import threading

from .simulator import ShopifySimulator


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shop", default="demo-shop.myshopify.com")
    parser.add_argument(
        "--token", required=True, help="expected X-Shopify-Access-Token"
    )
    parser.add_argument(
        "--secret", required=True, help="client secret signing webhooks"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catalog", choices=("none", "demo"), default="none")
    parser.add_argument(
        "--after-id",
        type=int,
        default=0,
        help="give new records ids above this one (a client kept older ones)",
    )
    parser.add_argument(
        "--after-order-number",
        type=int,
        default=0,
        help="number new orders above this one",
    )
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    simulator = ShopifySimulator(
        shop_domain=args.shop,
        access_token=args.token,
        client_secret=args.secret,
        port=args.port,
        seed=args.seed,
    )
    if args.catalog == "demo":
        simulator.seed_demo_catalog()
    # The catalogue always gets the same ids; what follows it must not take
    # the ids of records an earlier run created.
    simulator.store.resume_after(args.after_id, args.after_order_number)
    with simulator:
        print(f"Shopify simulator ready on {simulator.base_url}", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()

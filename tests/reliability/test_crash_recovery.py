"""A hard crash in the middle of an import burst loses and repeats nothing."""

from tests.support.odoo_server import wait_until

ORDERS = 40


def test_killed_server_ends_every_event_done_exactly_once(crashable_odoo, shop):
    odoo = crashable_odoo
    orders = [shop.random_order() for _ in range(ORDERS)]
    gids = {order["admin_graphql_api_id"] for order in orders}

    def imported():
        return odoo.count("shopify.sale.order", [("external_id", "in", list(gids))])

    # Crash once part of the burst is in and the rest is queued or in flight.
    wait_until(lambda: imported() >= 5, timeout=120, message="the first imports")
    odoo.kill()
    crashed_at = imported()
    odoo.start()

    wait_until(
        lambda: imported() == ORDERS, timeout=300, message=f"{ORDERS} orders in Odoo"
    )
    wait_until(
        lambda: (
            odoo.count(
                "retail.event",
                [
                    ("external_id", "in", list(gids)),
                    ("state", "in", ("received", "queued")),
                ],
            )
            == 0
        ),
        timeout=120,
        message="every event processed",
    )
    with odoo.env() as env:
        events = env["retail.event"].search([("external_id", "in", list(gids))])
        refs = (
            env["sale.order"]
            .search([("client_order_ref", "in", [order["name"] for order in orders])])
            .mapped("client_order_ref")
        )
        done_per_order = {}
        for event in events.filtered(lambda e: e.state == "done"):
            done_per_order.setdefault(event.external_id, []).append(event.topic)
        bad = [
            (event.external_id, event.state, event.error_message)
            for event in events
            if event.state in ("failed", "dead", "needs_attention")
        ]

    assert crashed_at < ORDERS, "the crash came after the burst; nothing was tested"
    assert len(refs) == ORDERS
    assert len(set(refs)) == ORDERS
    assert not bad
    # Each order was created by exactly one event; others were duplicates.
    assert set(done_per_order) == gids
    assert all(topics.count("orders/create") == 1 for topics in done_per_order.values())

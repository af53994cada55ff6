"""Business flows of the monitor, derived from event topics.

One table decides which flow a topic belongs to; the stored field on the
event ledger and the SQL of the dashboard are both built from it.
"""

FLOWS = [
    ("orders", "Orders"),
    ("refunds", "Refunds"),
    ("inventory", "Inventory"),
    ("catalog", "Catalog"),
    ("fulfilment", "Fulfilment"),
    ("payouts", "Payouts"),
    ("other", "Other"),
]

# (topic prefix, flow), first match wins.
FLOW_PREFIXES = [
    ("orders/", "orders"),
    ("refunds/", "refunds"),
    ("inventory", "inventory"),
    ("products/", "catalog"),
    ("fulfillment", "fulfilment"),
    ("payouts", "payouts"),
    ("balance", "payouts"),
]
DEFAULT_FLOW = "other"


def flow_of(topic):
    """Return the flow of an event topic; unknown topics are 'other'."""
    for prefix, flow in FLOW_PREFIXES:
        if (topic or "").startswith(prefix):
            return flow
    return DEFAULT_FLOW


def flow_sql_case(column):
    """SQL expression giving the flow of ``column``, same rules as flow_of."""
    branches = " ".join(
        f"WHEN starts_with({column}, '{prefix}') THEN '{flow}'"
        for prefix, flow in FLOW_PREFIXES
    )
    return f"CASE {branches} ELSE '{DEFAULT_FLOW}' END"


def flow_index(flow):
    """Stable small number of a flow, used to build dashboard row ids."""
    return [key for key, _label in FLOWS].index(flow) + 1

"""Customers and mailing addresses in the REST shape."""

from . import timestamps
from .store import gid

ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "province_code",
    "zip",
    "country",
    "country_code",
    "phone",
)


def address(spec):
    """Return a REST mailing address from a partial one, or None."""
    if not spec:
        return None
    result = {key: spec.get(key) for key in ADDRESS_KEYS}
    names = [result["first_name"], result["last_name"]]
    result["name"] = " ".join(part for part in names if part) or None
    result["latitude"] = None
    result["longitude"] = None
    return result


def upsert_customer(store, zone, currency, spec):
    """Return the customer for ``spec``, creating it when its email is new.

    Customers are matched on the lower-cased email, as a shop matches a
    returning buyer; a spec without email always creates a new customer.
    """
    email = (spec.get("email") or "").strip().lower() or None
    with store.lock:
        if email:
            for customer in store.all("Customer"):
                if customer["email"] == email:
                    return customer
        now = timestamps.rest(store.now(), zone)
        customer_id = store.next_id()
        return store.insert(
            "Customer",
            {
                "id": customer_id,
                "admin_graphql_api_id": gid("Customer", customer_id),
                "email": email,
                "first_name": spec.get("first_name"),
                "last_name": spec.get("last_name"),
                "phone": spec.get("phone"),
                "state": "disabled",
                "note": None,
                "verified_email": True,
                "tax_exempt": False,
                "tags": "",
                "currency": currency,
                "created_at": now,
                "updated_at": now,
                "default_address": address(spec.get("address")),
            },
        )

"""Hostile webhook bodies: always a 4xx, never a 500, nothing stored."""

import base64
import json
import string

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SIGNATURES = st.one_of(
    st.none(),
    st.text(alphabet=string.ascii_letters + string.digits + "+/=", max_size=60),
    st.binary(min_size=32, max_size=32).map(lambda raw: base64.b64encode(raw).decode()),
)


def _post(odoo, body, headers):
    return requests.post(odoo.webhook_url(), data=body, headers=headers, timeout=30)


def _not_json(body):
    try:
        json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return True
    return False


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(min_size=1, max_size=4096), signature=SIGNATURES)
def test_unsigned_or_wrongly_signed_bodies_get_401(crashable_odoo, body, signature):
    before = crashable_odoo.count("retail.event", [])
    headers = {"X-Shopify-Topic": "orders/create"}
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature.encode("utf-8", "replace")
    assert _post(crashable_odoo, body, headers).status_code == 401
    assert crashable_odoo.count("retail.event", []) == before


def _truncated_orders(draw_order):
    text = json.dumps(draw_order)
    return st.integers(min_value=1, max_value=len(text) - 1).map(
        lambda cut: text[:cut].encode()
    )


BROKEN_BODIES = st.one_of(
    st.binary(min_size=1, max_size=2048).filter(_not_json),
    st.text(min_size=1, max_size=300)
    .map(lambda t: t.encode("latin-1", "replace"))
    .filter(_not_json),
    st.fixed_dictionaries({"id": st.integers(), "name": st.text(max_size=20)}).flatmap(
        _truncated_orders
    ),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=BROKEN_BODIES)
def test_signed_but_malformed_bodies_get_400(crashable_odoo, shop, body):
    before = crashable_odoo.count("retail.event", [])
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": shop.sign(body),
    }
    assert _post(crashable_odoo, body, headers).status_code == 400
    assert crashable_odoo.count("retail.event", []) == before


def test_signed_json_without_topic_or_for_another_shop_is_refused(crashable_odoo, shop):
    body = json.dumps({"id": 1}).encode()
    signed = {"X-Shopify-Hmac-Sha256": shop.sign(body)}
    before = crashable_odoo.count("retail.event", [])

    no_topic = _post(crashable_odoo, body, signed)
    other_shop = _post(
        crashable_odoo,
        body,
        dict(
            signed,
            **{
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Shop-Domain": "someone-else.myshopify.com",
            },
        ),
    )
    oversized = _post(crashable_odoo, b"{" + b" " * (3 * 1024 * 1024) + b"}", signed)
    unknown_backend = requests.post(
        crashable_odoo.webhook_url() + "0", data=body, headers=signed, timeout=30
    )

    assert no_topic.status_code == 400
    assert other_shop.status_code == 401
    assert oversized.status_code == 413
    assert unknown_backend.status_code == 404
    assert crashable_odoo.count("retail.event", []) == before

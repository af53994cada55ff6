import json
import logging

from werkzeug.exceptions import (
    BadRequest,
    NotFound,
    RequestEntityTooLarge,
    Unauthorized,
)

from odoo import http
from odoo.http import request

from odoo.addons.retail_connector_base.lib.signature import is_valid_hmac_sha256_base64

from .. import const

_logger = logging.getLogger(__name__)

# Delivery headers kept with the event; the signature is left out.
KEPT_HEADERS = {
    "topic": "X-Shopify-Topic",
    "shop_domain": "X-Shopify-Shop-Domain",
    "api_version": "X-Shopify-API-Version",
    "webhook_id": "X-Shopify-Webhook-Id",
    "event_id": "X-Shopify-Event-Id",
    "triggered_at": "X-Shopify-Triggered-At",
}


class ShopifyWebhookController(http.Controller):
    """Receives Shopify webhooks: verify, store, enqueue, answer at once."""

    @http.route(
        "/retail/shopify/webhook/<int:backend_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, backend_id, **_kwargs):
        body = self._read_body()
        backend = request.env["shopify.backend"].sudo().browse(backend_id).exists()
        if not backend or not backend.active:
            raise NotFound()

        httprequest = request.httprequest
        signature = httprequest.headers.get("X-Shopify-Hmac-Sha256")
        if not is_valid_hmac_sha256_base64(
            backend._webhook_signing_secret(), body, signature
        ):
            _logger.warning(
                "Backend %s: webhook with a bad signature refused", backend.name
            )
            raise Unauthorized()
        headers = {
            key: httprequest.headers.get(name)
            for key, name in KEPT_HEADERS.items()
            if httprequest.headers.get(name)
        }
        shop_domain = headers.get("shop_domain")
        if shop_domain and shop_domain.lower() != backend.shop_domain.lower():
            _logger.warning(
                "Backend %s: webhook signed for another shop (%s) refused",
                backend.name,
                shop_domain,
            )
            raise Unauthorized()
        topic = headers.get("topic")
        if not topic:
            raise BadRequest("The X-Shopify-Topic header is missing.")
        try:
            json.loads(body)
        except (UnicodeDecodeError, ValueError) as error:
            raise BadRequest("The body is not UTF-8 JSON.") from error

        event, created = backend._register_webhook_event(topic, body, headers)
        _logger.info(
            "Backend %s: webhook %s for %s %s (event %s, trace %s)",
            backend.name,
            topic,
            event.external_id,
            "stored" if created else "duplicate",
            event.id,
            event.trace_id,
        )
        return request.make_json_response(
            {"status": "accepted" if created else "duplicate", "event": event.id}
        )

    def _read_body(self):
        """The raw body, refused above the size Shopify orders can reach."""
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is None:
            raise BadRequest("A Content-Length header is required.")
        if length > const.MAX_WEBHOOK_BYTES:
            raise RequestEntityTooLarge()
        body = httprequest.get_data(cache=False)
        if not body:
            raise BadRequest("Empty body.")
        return body

import hmac
import logging

from odoo import SUPERUSER_ID, api, http
from odoo.http import request

_logger = logging.getLogger(__name__)

TOKEN_PARAM = "retail_sync_monitor.metrics_token"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def check_bearer(env, authorization):
    """Return True only when ``authorization`` carries the configured token.

    An empty or missing system parameter disables the route for everyone.
    """
    expected = env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM) or ""
    if not expected:
        return False
    scheme, _sep, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def render_metrics(env):
    """Text of the metrics endpoint, in the Prometheus exposition format."""
    return env["retail.sync.monitor"].sudo()._prometheus_text()


class SyncMonitorMetrics(http.Controller):
    @http.route(
        "/retail/monitor/metrics",
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def metrics(self):
        if not request.db:
            return request.make_response("No database selected.\n", status=404)
        env = api.Environment(request.env.cr, SUPERUSER_ID, {})
        if not check_bearer(env, request.httprequest.headers.get("Authorization")):
            _logger.warning(
                "Metrics: refused a request from %s", request.httprequest.remote_addr
            )
            return request.make_response(
                "A valid bearer token is required.\n",
                status=401,
                headers=[("WWW-Authenticate", 'Bearer realm="retail-metrics"')],
            )
        return request.make_response(
            render_metrics(env), headers=[("Content-Type", CONTENT_TYPE)]
        )

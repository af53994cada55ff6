import hashlib
import json
import uuid

from odoo import api, fields, models


class RetailOutboundCall(models.Model):
    """One write to an external system, keyed for safe retries.

    The idempotency key is stored before the call is made, so a job that is
    retried after a timeout sends the same key again and the external system
    answers with the first result instead of creating a second record.
    """

    _name = "retail.outbound.call"
    _description = "Retail Connector Outbound Call"
    _order = "create_date desc, id desc"
    _rec_name = "operation"

    backend_id = fields.Many2one(
        "retail.backend", required=True, index=True, ondelete="restrict"
    )
    connector_type = fields.Selection(
        related="backend_id.connector_type", store=True, string="Connector"
    )
    operation = fields.Char(required=True, help="API operation (mutation) name.")
    reference = fields.Char(
        required=True,
        index=True,
        help="What the call is about, stable across retries "
        "(for instance 'stock.quant:42@2026-12-03T10:00').",
    )
    idempotency_key = fields.Char(required=True, readonly=True, copy=False)
    request_digest = fields.Char(
        readonly=True, help="SHA-256 of the request variables."
    )
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    external_id = fields.Char(readonly=True)
    response_summary = fields.Text(readonly=True)
    trace_id = fields.Char(index=True, readonly=True)
    done_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "idempotency_key_unique",
            "UNIQUE(backend_id, idempotency_key)",
            "An idempotency key is used for one call only.",
        ),
        (
            "reference_unique",
            "UNIQUE(backend_id, operation, reference)",
            "This call is already recorded.",
        ),
    ]

    @api.model
    def _reserve_key(self, backend, operation, reference, variables, trace_id=None):
        """Return the idempotency key of (operation, reference), created once.

        The row is written and committed in its own transaction, so the key
        survives a rollback of the job that makes the call: a retried job
        sends the same key again.
        """
        digest = hashlib.sha256(
            json.dumps(variables, sort_keys=True, default=str).encode()
        ).hexdigest()
        with self.env.registry.cursor() as cr:
            calls = self.env(cr=cr)[self._name].sudo()
            call = calls.search(self._reference_domain(backend, operation, reference))
            if not call:
                call = calls.create(
                    {
                        "backend_id": backend.id,
                        "operation": operation,
                        "reference": reference,
                        "idempotency_key": str(uuid.uuid4()),
                        "request_digest": digest,
                        "trace_id": trace_id,
                    }
                )
            return call.idempotency_key

    @api.model
    def _record_result(
        self, backend, operation, reference, ok, external_id=None, summary=None
    ):
        """Write the outcome of a call, committed whatever the job does next."""
        with self.env.registry.cursor() as cr:
            call = (
                self.env(cr=cr)[self._name]
                .sudo()
                .search(self._reference_domain(backend, operation, reference))
            )
            call.write(
                {
                    "state": "done" if ok else "failed",
                    "attempts": call.attempts + 1,
                    "external_id": external_id or call.external_id,
                    "response_summary": summary,
                    "done_at": fields.Datetime.now() if ok else False,
                }
            )

    @api.model
    def _reference_domain(self, backend, operation, reference):
        return [
            ("backend_id", "=", backend.id),
            ("operation", "=", operation),
            ("reference", "=", reference),
        ]

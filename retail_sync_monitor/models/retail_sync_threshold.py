import logging

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

ALERT_ACTIVITY_TYPE = "retail_sync_monitor.mail_activity_type_sync_alert"


class RetailSyncThreshold(models.Model):
    """Alert thresholds of one backend.

    The scheduled evaluation compares the backend's figures with these
    limits. While any limit is passed the responsible user has exactly one
    open activity on the backend, updated as figures change; when every
    figure is back within its limit the activity is marked done.
    """

    _name = "retail.sync.threshold"
    _description = "Retail Connector Alert Thresholds"
    _rec_name = "backend_id"
    _order = "backend_id"

    backend_id = fields.Many2one(
        "retail.backend", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    active = fields.Boolean(default=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        help="Receives the alert; empty means the first connector manager.",
    )
    max_backlog = fields.Integer(
        string="Max Backlog", help="Pending events; 0 disables this check."
    )
    max_oldest_age = fields.Integer(
        string="Max Oldest Pending (min)",
        help="Minutes the oldest pending event may wait; 0 disables this check.",
    )
    max_failure_rate = fields.Float(
        string="Max Failure Rate (%)",
        help="Failures per hundred finished events in the monitor window; "
        "0 disables this check.",
    )
    min_finished = fields.Integer(
        string="Min Finished Events",
        default=10,
        help="The failure rate is judged only once this many events finished "
        "in the window, so one failure out of two raises no alert.",
    )
    credential_warning_days = fields.Integer(
        string="Credential Warning (days)",
        default=7,
        help="Alert this many days before a credential expires; 0 disables it.",
    )
    alert_state = fields.Selection(
        selection=[("ok", "Within limits"), ("alert", "Alert")],
        default="ok",
        readonly=True,
    )
    alert_message = fields.Text(readonly=True)
    last_check = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "backend_unique",
            "UNIQUE(backend_id)",
            "A backend has one set of alert thresholds.",
        ),
    ]

    @api.model
    def _by_backend(self):
        return {rule.backend_id.id: rule for rule in self.search([])}

    @api.model
    def _cron_evaluate(self):
        """Scheduled action: raise or close the alert of every backend."""
        self.search([])._evaluate()

    def _evaluate(self):
        kpis = self.env["retail.sync.monitor"]._backend_kpis(self.backend_id)
        now = fields.Datetime.now()
        for rule in self:
            breaches = rule._breaches(kpis.get(rule.backend_id.id, {}), now)
            activity = rule._open_alert_activity()
            if breaches:
                note = "<br/>".join(breaches)
                if activity:
                    activity.write({"note": note})
                else:
                    rule.backend_id.sudo().activity_schedule(
                        ALERT_ACTIVITY_TYPE,
                        summary=_(
                            "Sync alert on %(backend)s", backend=rule.backend_id.name
                        ),
                        note=note,
                        user_id=rule._alert_user().id,
                    )
                    _logger.warning(
                        "Backend %s: sync alert raised (%s)",
                        rule.backend_id.name,
                        "; ".join(breaches),
                    )
            elif activity:
                activity.action_feedback(feedback=_("Back within every threshold."))
                _logger.info("Backend %s: sync alert closed", rule.backend_id.name)
            rule.write(
                {
                    "alert_state": "alert" if breaches else "ok",
                    "alert_message": "\n".join(breaches) or False,
                    "last_check": now,
                }
            )

    def _breaches(self, kpi, now):
        """Return one sentence per threshold the figures pass."""
        self.ensure_one()
        breaches = []
        backlog = kpi.get("backlog", 0)
        if self.max_backlog and backlog > self.max_backlog:
            breaches.append(
                _(
                    "Backlog of %(count)s events, above %(limit)s.",
                    count=backlog,
                    limit=self.max_backlog,
                )
            )
        age = kpi.get("oldest_pending_age", 0.0)
        if self.max_oldest_age and age > self.max_oldest_age:
            breaches.append(
                _(
                    "Oldest pending event waits for %(age)s minutes, above %(limit)s.",
                    age=round(age),
                    limit=self.max_oldest_age,
                )
            )
        finished = kpi.get("finished", 0)
        rate = kpi.get("failure_rate", 0.0)
        if (
            self.max_failure_rate
            and finished >= max(self.min_finished, 1)
            and rate > self.max_failure_rate
        ):
            breaches.append(
                _(
                    "Failure rate %(rate)s%% over %(count)s events, above %(limit)s%%.",
                    rate=round(rate, 1),
                    count=finished,
                    limit=self.max_failure_rate,
                )
            )
        expiry = kpi.get("credential_expires_at")
        if self.credential_warning_days and expiry:
            if expiry <= fields.Datetime.add(now, days=self.credential_warning_days):
                breaches.append(
                    _(
                        "A credential expires on %(date)s: renew it.",
                        date=fields.Datetime.to_string(expiry),
                    )
                )
        return breaches

    def _open_alert_activity(self):
        self.ensure_one()
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "retail.backend"),
                    ("res_id", "=", self.backend_id.id),
                    ("activity_type_id", "=", self.env.ref(ALERT_ACTIVITY_TYPE).id),
                ],
                limit=1,
            )
        )

    def _alert_user(self):
        self.ensure_one()
        return self.user_id or self.backend_id._responsible_user()

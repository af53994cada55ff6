from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        """Mark the events of jobs that gave up as failed or dead.

        queue_job writes the failure of a job in a transaction of its own,
        after rolling back the job's; this write is where the event ledger
        can follow, since a failure hook of the job itself would run in the
        transaction that is rolled back.
        """
        result = super().write(vals)
        if vals.get("state") == "failed":
            event_jobs = self.filtered(lambda job: job.model_name == "retail.event")
            for job in event_jobs:
                events = (
                    self.env["retail.event"]
                    .sudo()
                    .search(
                        [
                            ("job_id", "=", job.id),
                            ("state", "in", ("received", "queued")),
                        ]
                    )
                )
                events._on_job_failed(
                    exc_name=job.exc_name, exc_message=job.exc_message
                )
        return result

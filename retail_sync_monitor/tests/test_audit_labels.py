from .common import MonitorCase


class TestAuditLabels(MonitorCase):
    def _ignored_audit(self):
        event = self._event(state="dead")
        event.with_user(self.operator)._ignore("Test order of the shop owner")
        return event.audit_ids

    def test_audit_shows_state_labels_and_filters_on_state_keys(self):
        audit = self._ignored_audit()

        self.assertEqual((audit.old_state, audit.new_state), ("dead", "ignored_manual"))
        self.assertEqual(audit.change_summary, "State: Dead → Ignored (by operator)")
        selection = dict(
            audit.fields_get(["old_state"], ["selection"])["old_state"]["selection"]
        )
        self.assertEqual(selection["needs_attention"], "Needs Attention")
        self.assertEqual(selection["ignored_manual"], "Ignored (by operator)")

        Audit = self.env["retail.event.audit"].with_user(self.operator)
        self.assertEqual(Audit.search([("new_state", "=", "ignored_manual")]), audit)
        self.assertFalse(Audit.search([("new_state", "=", "done")]))
        groups = Audit.read_group([("id", "=", audit.id)], ["new_state"], ["new_state"])
        self.assertEqual([group["new_state"] for group in groups], ["ignored_manual"])

    def test_state_labels_follow_the_reader_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        labels = self.env["ir.model.fields.selection"].search(
            [
                ("field_id.model", "=", "retail.event"),
                ("field_id.name", "=", "state"),
                ("value", "in", ("dead", "ignored_manual")),
            ]
        )
        for label in labels.with_context(lang="fr_FR"):
            label.name = {"dead": "Abandonné", "ignored_manual": "Ignoré"}[label.value]
        self.env.registry.clear_cache()
        audit = self._ignored_audit()

        french = audit.with_context(lang="fr_FR")
        self.assertIn("Abandonné → Ignoré", french.change_summary)
        self.assertEqual(
            dict(french.fields_get(["new_state"])["new_state"]["selection"])[
                "ignored_manual"
            ],
            "Ignoré",
        )
        self.assertIn("Dead → Ignored (by operator)", audit.change_summary)
        self.assertEqual(audit.new_state, "ignored_manual")

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests.common import TransactionCase, new_test_user
from odoo.tools import config


class TestSecretsAndLedger(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        backends = cls.env["retail.backend"]
        connector_type = backends._fields["connector_type"]
        cls.backend = backends.create(
            {
                "name": "Ledger test",
                "connector_type": connector_type.get_values(cls.env)[0],
                "connector_model": "retail.backend",
            }
        )
        cls.operator = new_test_user(
            cls.env,
            login="retail_operator",
            groups="base.group_user,retail_connector_base.group_retail_connector_user",
        )

    def test_secret_is_encrypted_at_rest_and_read_back(self):
        self.backend._set_secret("access_token", "shpat_very_secret")

        stored = self.env["retail.backend.secret"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(stored.key, "access_token")
        self.assertNotIn("shpat_very_secret", stored.ciphertext)
        self.assertEqual(self.backend._get_secret("access_token"), "shpat_very_secret")
        self.assertTrue(self.backend._has_secret("access_token"))

        self.backend._set_secret("access_token", "")
        self.assertIsNone(self.backend._get_secret("access_token"))

    def test_without_a_key_in_the_configuration_nothing_is_stored(self):
        with patch.dict(config.options, {"retail_connector_secret_key": ""}):
            with self.assertRaisesRegex(UserError, "retail_connector_secret_key"):
                self.backend._set_secret("access_token", "x")

    def test_a_connector_user_cannot_read_secrets_or_change_backends(self):
        self.backend._set_secret("access_token", "shpat_very_secret")
        secrets = self.env["retail.backend.secret"].with_user(self.operator)
        with self.assertRaises(AccessError):
            secrets.search([]).read(["ciphertext"])
        with self.assertRaises(AccessError):
            self.backend.with_user(self.operator).write({"name": "Renamed"})

    def test_a_repeated_dedup_key_is_stored_once(self):
        values = {
            "backend_id": self.backend.id,
            "topic": "orders/create",
            "dedup_key": "orders/create:event-1",
            "external_id": "gid://shopify/Order/1",
            "payload": "{}",
        }
        first, created = self.env["retail.event"]._receive(dict(values))
        again, created_again = self.env["retail.event"]._receive(dict(values))

        self.assertTrue(created)
        self.assertFalse(created_again)
        self.assertEqual(again, first)
        self.assertEqual(first.state, "queued")
        self.assertTrue(first.job_id)
        self.assertEqual(
            self.env["retail.event"].search_count(
                [("dedup_key", "=", "orders/create:event-1")]
            ),
            1,
        )

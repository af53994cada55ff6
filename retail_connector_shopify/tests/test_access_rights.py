from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from .common import ShopifyTestCase

CONNECTOR_MODELS = (
    "retail.backend",
    "retail.backend.secret",
    "retail.event",
    "retail.outbound.call",
    "retail.tax.mapping",
    "retail.payment.mapping",
    "shopify.backend",
    "shopify.sale.order",
    "shopify.refund",
    "shopify.payout",
    "shopify.balance.transaction",
)


class TestAccessRights(ShopifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, login="retail_portal", groups="base.group_portal"
        )
        cls.public = cls.env.ref("base.public_user")
        cls.finance = new_test_user(
            cls.env,
            login="retail_finance",
            groups="base.group_user,retail_connector_base.group_retail_finance_reviewer",
        )
        cls.operator = new_test_user(
            cls.env,
            login="retail_ops",
            groups="base.group_user,retail_connector_base.group_retail_connector_user",
        )

    def test_portal_and_public_users_reach_nothing(self):
        for user in (self.portal, self.public):
            for model in CONNECTOR_MODELS:
                with self.subTest(user=user.login, model=model):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).search([], limit=1)

    def test_finance_reviewer_reads_payouts_but_not_credentials(self):
        backend = self.backend.with_user(self.finance)
        self.assertEqual(backend.shop_domain, "test-shop.myshopify.com")
        self.env["shopify.payout"].with_user(self.finance).search([])
        self.env["shopify.balance.transaction"].with_user(self.finance).search([])
        with self.assertRaises(AccessError):
            self.env["retail.backend.secret"].with_user(self.finance).search([])
        with self.assertRaises(AccessError):
            backend.write({"access_token": "shpat_stolen"})
        with self.assertRaises(AccessError):
            self.env["shopify.payout"].with_user(self.finance).create(
                {"backend_id": self.backend.id}
            )
        self.assertEqual(
            self.backend.backend_id._get_secret("access_token"), "shpat_test_token"
        )

    def test_connector_user_cannot_read_secrets_or_change_backends(self):
        backend = self.backend.with_user(self.operator)
        with self.assertRaises(AccessError):
            backend.write({"shop_domain": "elsewhere.myshopify.com"})
        with self.assertRaises(AccessError):
            backend.write({"webhook_secret": "guess"})
        with self.assertRaises(AccessError):
            self.env["retail.backend.secret"].with_user(self.operator).search([])
        with self.assertRaises(AccessError):
            backend.read(["access_token"])

    def test_connector_user_retries_events_but_cannot_edit_them(self):
        payload = self.balanced_orders_create()
        payload["line_items"][0]["sku"] = "NOT-IN-ODOO"
        event = self.process(payload, delivery_id="ops-1")
        self.assertEqual(event.state, "needs_attention")
        as_operator = event.with_user(self.operator)

        with self.assertRaises(AccessError):
            as_operator.write({"payload": "{}"})
        with self.assertRaises(AccessError):
            as_operator.write({"state": "done"})
        with self.assertRaises(AccessError):
            self.backend.with_user(self.operator).action_register_webhooks()
        with self.assertRaises(AccessError):
            self.backend.with_user(self.operator).action_pause()

        as_operator.action_retry()
        self.assertEqual(event.state, "queued")
        # The job applies the event as the connector, not as the operator.
        self.assertEqual(event.job_id.user_id, self.env.ref("base.user_root"))

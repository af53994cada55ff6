import base64
import hashlib
import hmac

from odoo.tests.common import BaseCase

from ..lib.signature import hmac_sha256_base64, is_valid_hmac_sha256_base64

BODY = b'{"id": 820982911946154508}'


class TestSignature(BaseCase):
    def test_signature_matches_an_independent_computation(self):
        expected = base64.b64encode(
            hmac.new(b"secret", BODY, hashlib.sha256).digest()
        ).decode()
        self.assertEqual(hmac_sha256_base64("secret", BODY), expected)
        self.assertTrue(is_valid_hmac_sha256_base64("secret", BODY, expected))

    def test_wrong_missing_or_unkeyed_signatures_are_refused(self):
        good = hmac_sha256_base64("secret", BODY)
        self.assertFalse(is_valid_hmac_sha256_base64("other", BODY, good))
        self.assertFalse(is_valid_hmac_sha256_base64("secret", BODY + b" ", good))
        self.assertFalse(is_valid_hmac_sha256_base64("secret", BODY, None))
        self.assertFalse(is_valid_hmac_sha256_base64("secret", BODY, ""))
        self.assertFalse(is_valid_hmac_sha256_base64("", BODY, good))
        self.assertFalse(is_valid_hmac_sha256_base64("secret", BODY, "é" + good))

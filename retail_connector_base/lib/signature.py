"""Webhook signature checks that cannot leak timing information."""

import base64
import hashlib
import hmac


def hmac_sha256_base64(secret, message):
    """Base64 of HMAC-SHA256(secret, message), both bytes or str."""
    if isinstance(secret, str):
        secret = secret.encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_valid_hmac_sha256_base64(secret, message, signature):
    """Whether ``signature`` is the base64 HMAC-SHA256 of ``message``.

    An empty secret or signature is never valid.
    """
    if not secret or not signature:
        return False
    expected = hmac_sha256_base64(secret, message)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())

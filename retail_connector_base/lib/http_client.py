"""HTTP plumbing shared by the vendor clients, free of any vendor fact.

It turns transport failures and HTTP status codes into the connector's
error taxonomy, so that every channel handles throttling, outages and
revoked credentials the same way.
"""

import logging
import time

import requests

from ..exceptions import FatalBackendError, RetryableError

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20  # seconds, to connect and again to read
RETRYABLE_STATUS = {408, 409, 423, 425, 429, 500, 502, 503, 504}
FATAL_STATUS = {401, 402, 403}


def retry_after_seconds(response, default=None):
    """Seconds asked by a ``Retry-After`` header, or ``default``."""
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return default


class JsonHttpClient:
    """A small JSON-over-HTTP client with the connector's failure semantics.

    Subclasses give the base URL and the authentication headers. Nothing
    here logs a header or a body, so no credential reaches the logs.
    """

    def __init__(self, base_url, timeout=DEFAULT_TIMEOUT, session=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _headers(self):
        return {"Content-Type": "application/json", "Accept": "application/json"}

    def _post_json(self, path, payload, params=None):
        url = f"{self.base_url}{path}"
        started = time.monotonic()
        try:
            response = self.session.post(
                url,
                json=payload,
                params=params,
                headers=self._headers(),
                timeout=self.timeout,
            )
        except requests.Timeout as error:
            raise RetryableError(f"Timeout calling {path}") from error
        except requests.ConnectionError as error:
            raise RetryableError(f"Connection failed calling {path}") from error
        _logger.debug(
            "POST %s: %s in %.3f s",
            path,
            response.status_code,
            time.monotonic() - started,
        )
        self._raise_for_status(response, path)
        try:
            return response.json()
        except ValueError as error:
            raise RetryableError(
                f"Answer of {path} is not JSON (HTTP {response.status_code})"
            ) from error

    def _raise_for_status(self, response, path):
        status = response.status_code
        if status < 400:
            return
        if status in RETRYABLE_STATUS or status >= 500:
            raise RetryableError(
                f"HTTP {status} from {path}",
                retry_after=retry_after_seconds(response),
            )
        if status in FATAL_STATUS:
            raise FatalBackendError(
                f"HTTP {status} from {path}: the credentials were refused; "
                "check the access token and the app's scopes on the backend."
            )
        raise FatalBackendError(f"HTTP {status} from {path}: {response.text[:200]}")

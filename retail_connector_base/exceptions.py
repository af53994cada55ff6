"""The three kinds of connector failure, each with its own path.

* :class:`RetryableError`: the call may succeed later (network error, timeout,
  429, 5xx, lock held). The job is retried with backoff.
* :class:`BusinessError`: the data needs a person (unknown SKU, missing
  mapping, amount mismatch). The event goes to *needs attention* with a message
  saying what to fix; nothing half-done is kept.
* :class:`FatalBackendError`: the backend itself cannot work (revoked or wrong
  credentials, app uninstalled). The backend goes to *error* and its jobs wait.
"""


class ConnectorError(Exception):
    """Base class of the errors the connectors raise on purpose."""

    error_class = "technical"


class RetryableError(ConnectorError):
    """A failure that may go away by itself; ``retry_after`` is in seconds."""

    error_class = "retryable"

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class BusinessError(ConnectorError):
    """A failure a person must fix in the data or the configuration.

    ``code`` is a short stable word used to group the exception queue
    (``unknown_sku``, ``missing_mapping``, ``amount_mismatch``...).
    """

    error_class = "business"

    def __init__(self, message, code="business"):
        super().__init__(message)
        self.code = code


class FatalBackendError(ConnectorError):
    """The backend cannot work until its configuration is fixed."""

    error_class = "fatal"

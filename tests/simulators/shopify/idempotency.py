"""Replay store for mutations sent with ``@idempotent(key: ...)``.

Same key and same arguments: the stored result comes back and the mutation
does not run again. Same key, other arguments: a ``userErrors`` entry with
code ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``. Same key while the first call
still runs: ``IDEMPOTENCY_CONCURRENT_REQUEST``. Keys live as long as the
simulator's state (until ``reset``).
"""

import functools
import json
import threading

from graphql import get_directive_values

RUNNING = object()


class IdempotencyKeys:
    """Thread-safe map of key → (argument fingerprint, stored result)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def clear(self):
        with self._lock:
            self._entries.clear()

    def claim(self, key, fingerprint):
        """Return ``("run", None)``, ``("replay", result)``, ``("mismatch", None)``
        or ``("running", None)`` for a call with ``key``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = (fingerprint, RUNNING)
                return "run", None
            stored_fingerprint, result = entry
            if stored_fingerprint != fingerprint:
                return "mismatch", None
            if result is RUNNING:
                return "running", None
            return "replay", result

    def complete(self, key, fingerprint, result):
        with self._lock:
            self._entries[key] = (fingerprint, result)

    def release(self, key):
        """Forget a key whose call failed, so that a retry may run it."""
        with self._lock:
            self._entries.pop(key, None)


def idempotent(resolve):
    """Wrap a mutation resolver so that ``@idempotent(key:)`` replays it.

    The key store is ``info.context.idempotency_keys``; the fingerprint is the
    mutation name and its arguments (variables already substituted).
    """

    @functools.wraps(resolve)
    def wrapper(root, info, **arguments):
        directive = info.schema.get_directive("idempotent")
        values = get_directive_values(
            directive, info.field_nodes[0], info.variable_values
        )
        if not values:
            return resolve(root, info, **arguments)
        key = values["key"]
        keys = info.context.idempotency_keys
        fingerprint = json.dumps(
            [info.field_name, arguments], sort_keys=True, default=str
        )
        outcome, result = keys.claim(key, fingerprint)
        if outcome == "replay":
            return result
        if outcome == "mismatch":
            return _refusal(
                "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                "The idempotency key was already used with different parameters.",
            )
        if outcome == "running":
            return _refusal(
                "IDEMPOTENCY_CONCURRENT_REQUEST",
                "A request with this idempotency key is still running: retry later.",
            )
        try:
            result = resolve(root, info, **arguments)
        except Exception:
            keys.release(key)
            raise
        keys.complete(key, fingerprint, result)
        return result

    return wrapper


def _refusal(code, message):
    """A mutation payload that carries only a user error."""
    return {
        "user_errors": [
            {"field": ["idempotent", "key"], "code": code, "message": message}
        ]
    }

"""Faults injected into Admin API answers, decided per request by a seeded RNG."""

import threading
from collections import deque
from dataclasses import dataclass, fields, replace

DROP = "drop"


@dataclass
class ApiFaultSettings:
    """Fractions (0 to 1) of requests that fail, and how.

    ``slow_ms`` is a fixed delay or a ``[low, high]`` range, applied to a
    ``slow_rate`` fraction of requests.
    """

    rate_429: float = 0.0
    retry_after: int = 1
    rate_5xx: float = 0.0
    statuses_5xx: tuple = (500, 502, 503)
    rate_drop: float = 0.0
    slow_ms: int | list = 0
    slow_rate: float = 1.0


@dataclass(frozen=True)
class Fault:
    """What to do instead of answering: a status code, or ``DROP`` the socket."""

    outcome: int | str
    retry_after: int | None = None


class ApiFaults:
    """Decides, request by request, whether and how an API call misbehaves."""

    def __init__(self, rng):
        self._rng = rng
        self._lock = threading.Lock()
        self.settings = ApiFaultSettings()
        self._forced = deque()

    def configure(self, **changes):
        """Change settings by name; unknown names raise ValueError."""
        known = {item.name for item in fields(ApiFaultSettings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown API fault settings: {sorted(unknown)}")
        if "statuses_5xx" in changes:
            changes["statuses_5xx"] = tuple(changes["statuses_5xx"])
        with self._lock:
            self.settings = replace(self.settings, **changes)

    def fail_next(self, count, outcome=503):
        """Make the next ``count`` requests fail: ``outcome`` is a status or "drop"."""
        if outcome != DROP and not 400 <= int(outcome) <= 599:
            raise ValueError(
                f"outcome must be an error status or {DROP!r}: {outcome!r}"
            )
        with self._lock:
            self._forced.extend([outcome if outcome == DROP else int(outcome)] * count)

    def reset(self):
        """Back to no faults."""
        with self._lock:
            self.settings = ApiFaultSettings()
            self._forced.clear()

    def decide(self):
        """Return ``(delay in seconds, Fault or None)`` for one request."""
        with self._lock:
            settings = self.settings
            delay = 0.0
            if settings.slow_ms and self._rng.random() < settings.slow_rate:
                slow = settings.slow_ms
                if isinstance(slow, list | tuple):
                    delay = self._rng.uniform(slow[0], slow[1]) / 1000
                else:
                    delay = slow / 1000
            if self._forced:
                return delay, self._fault(self._forced.popleft())
            draw = self._rng.random()
            if draw < settings.rate_drop:
                return delay, Fault(DROP)
            draw -= settings.rate_drop
            if draw < settings.rate_429:
                return delay, self._fault(429)
            draw -= settings.rate_429
            if draw < settings.rate_5xx:
                return delay, Fault(self._rng.choice(settings.statuses_5xx))
            return delay, None

    def _fault(self, outcome):
        if outcome == 429:
            return Fault(429, retry_after=self.settings.retry_after)
        return Fault(outcome)

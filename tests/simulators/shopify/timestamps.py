"""Timestamp formats: REST bodies use the shop's offset, GraphQL uses UTC ``Z``."""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse(text):
    """Parse an ISO-8601 timestamp or date; naive values are taken as UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def rest(moment, zone):
    """Format ``moment`` in ``zone`` with its offset, seconds precision."""
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def graphql(text):
    """Turn a stored REST timestamp into GraphQL's UTC form, or None."""
    if text is None:
        return None
    return parse(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_micros(text):
    """Return a stored timestamp as integer microseconds since the epoch."""
    return (parse(text) - EPOCH) // timedelta(microseconds=1)

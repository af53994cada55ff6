"""Relay cursor connections over in-memory lists, as Shopify pages them."""

import base64
import json

from graphql import GraphQLError

MAX_PAGE_SIZE = 250


def encode_cursor(key):
    """Return the opaque cursor of a record's sort key (a list of scalars)."""
    raw = json.dumps({"last_key": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor):
    """Return the sort key inside a cursor; a foreign cursor is a GraphQL error."""
    try:
        return tuple(json.loads(base64.urlsafe_b64decode(cursor.encode()))["last_key"])
    except (ValueError, KeyError, TypeError) as error:
        raise GraphQLError(
            f"Invalid cursor for current pagination sort: {cursor}"
        ) from error


def connection(
    records, key, *, first=None, after=None, last=None, before=None, reverse=False
):
    """Return one page of ``records`` as ``{edges, nodes, page_info}``.

    ``key`` gives each record a unique, comparable sort key (a tuple of
    scalars). Exactly one of ``first`` and ``last`` (at most 250) is required,
    as in Shopify.
    """
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise GraphQLError(f"The '{name}' argument must be between 0 and 250.")
    keyed = sorted(
        ((key(record), record) for record in records),
        key=lambda pair: pair[0],
        reverse=reverse,
    )
    start, end = 0, len(keyed)
    if after is not None:
        start = _position_after(keyed, decode_cursor(after), reverse)
    if before is not None:
        end = max(
            start,
            _position_after(keyed, decode_cursor(before), reverse, inclusive=False),
        )
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    page = keyed[start:end]
    edges = [
        {"cursor": encode_cursor(record_key), "node": record}
        for record_key, record in page
    ]
    return {
        "edges": edges,
        "nodes": [record for _, record in page],
        "page_info": {
            "has_next_page": end < len(keyed),
            "has_previous_page": start > 0,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _position_after(keyed, cursor_key, reverse, inclusive=True):
    """Index of the first record past ``cursor_key`` (at it, if not ``inclusive``)."""
    for index, (record_key, _) in enumerate(keyed):
        beyond = record_key < cursor_key if reverse else record_key > cursor_key
        if beyond or (not inclusive and record_key == cursor_key):
            return index
    return len(keyed)

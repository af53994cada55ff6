"""Shopify search syntax for connection ``query`` arguments (the subset used).

Terms are separated by spaces (an optional ``AND`` is skipped) and all must
match. A term is ``field:value`` or ``field:<op>value`` with ``op`` one of
``>``, ``>=``, ``<``, ``<=``; a leading ``-`` negates it. Values may be
quoted with ``'`` or ``"``. Fields a resource does not know are ignored, as
Shopify ignores them (it only adds a search warning).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from . import timestamps

TERM = re.compile(
    r"""(?P<neg>-)?(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?"""
    r"""(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<bare>\S+))"""
)


@dataclass(frozen=True)
class Term:
    """One ``field:op value`` condition."""

    field: str
    op: str
    value: str
    negated: bool


def parse(query):
    """Return the terms of a query string (an empty list for no query)."""
    terms = []
    for match in TERM.finditer(query or ""):
        value = match["sq"] if match["sq"] is not None else match["dq"]
        if value is None:
            value = match["bare"]
        terms.append(
            Term(match["field"], match["op"] or "=", value, bool(match["neg"]))
        )
    return terms


def matches(record, terms, fields):
    """Return whether ``record`` satisfies every term.

    ``fields`` maps a search field to a function of the record returning a
    string, a number, a datetime, a bool or a list of strings (any of which
    may match an equality term).
    """
    for term in terms:
        accessor = fields.get(term.field)
        if accessor is None:
            continue
        if _holds(accessor(record), term) == term.negated:
            return False
    return True


def _holds(actual, term):
    if isinstance(actual, list):
        return any(_holds(item, term) for item in actual)
    if actual is None:
        return False
    if isinstance(actual, datetime):
        expected = timestamps.parse(term.value)
    elif isinstance(actual, bool):
        expected = term.value.lower() == "true"
    elif isinstance(actual, int):
        expected = int(term.value)
    else:
        actual, expected = str(actual).lower(), term.value.lower()
        if term.op == "=" and expected.endswith("*"):
            return actual.startswith(expected[:-1])
    return {
        "=": actual == expected,
        ">": actual > expected,
        ">=": actual >= expected,
        "<": actual < expected,
        "<=": actual <= expected,
    }[term.op]

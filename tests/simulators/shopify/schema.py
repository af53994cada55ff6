"""The executable GraphQL schema: SDL from ``schema.graphql`` plus resolvers."""

from pathlib import Path

from graphql import build_schema

from .idempotency import idempotent
from .resolvers import FIELD_RESOLVERS, TYPE_RESOLVERS

SDL_PATH = Path(__file__).with_name("schema.graphql")
STRING_SCALARS = ("Decimal", "Money", "UnsignedInt64", "DateTime", "URL")


def build():
    """Return the schema with every resolver bound; a resolver for a field
    the SDL lacks is an error, so the two cannot drift apart silently."""
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    for name in STRING_SCALARS:
        schema.type_map[name].serialize = str
    for type_name, resolvers in FIELD_RESOLVERS.items():
        fields = schema.type_map[type_name].fields
        for field_name, resolve in resolvers.items():
            if field_name not in fields:
                raise KeyError(f"{type_name}.{field_name} is not in the schema")
            if type_name == "Mutation":
                resolve = idempotent(resolve)
            fields[field_name].resolve = resolve
    for type_name, resolve_type in TYPE_RESOLVERS.items():
        schema.type_map[type_name].resolve_type = resolve_type
    return schema


def enum_values(schema, name):
    """Return the value names of an enum type of the schema."""
    return frozenset(schema.type_map[name].values)

"""The executable GraphQL schema: SDL from ``schema.graphql`` plus resolvers."""

from pathlib import Path

from graphql import build_schema

from . import fulfillments, inventory, payouts, products, returns
from .idempotency import idempotent
from .resolvers import FIELD_RESOLVERS, TYPE_RESOLVERS

SDL_PATH = Path(__file__).with_name("schema.graphql")
# Parts of the API kept in their own files, each extending the main schema.
EXTENSIONS = (
    (Path(__file__).with_name("inventory.graphql"), inventory),
    (Path(__file__).with_name("products.graphql"), products),
    (Path(__file__).with_name("fulfillments.graphql"), fulfillments),
    (Path(__file__).with_name("payouts.graphql"), payouts),
    (Path(__file__).with_name("returns.graphql"), returns),
)
STRING_SCALARS = ("Decimal", "Money", "UnsignedInt64", "DateTime", "URL", "BigInt")


def build():
    """Return the schema with every resolver bound; a resolver for a field
    the SDL lacks is an error, so the two cannot drift apart silently."""
    sdl = [SDL_PATH.read_text(encoding="utf-8")]
    sdl += [path.read_text(encoding="utf-8") for path, _module in EXTENSIONS]
    schema = build_schema("\n".join(sdl))
    for name in STRING_SCALARS:
        schema.type_map[name].serialize = str
    tables = [(FIELD_RESOLVERS, TYPE_RESOLVERS)]
    tables += [
        (module.FIELD_RESOLVERS, module.TYPE_RESOLVERS) for _p, module in EXTENSIONS
    ]
    for field_resolvers, type_resolvers in tables:
        _bind(schema, field_resolvers, type_resolvers)
    return schema


def _bind(schema, field_resolvers, type_resolvers):
    for type_name, resolvers in field_resolvers.items():
        fields = schema.type_map[type_name].fields
        for field_name, resolve in resolvers.items():
            if field_name not in fields:
                raise KeyError(f"{type_name}.{field_name} is not in the schema")
            if type_name == "Mutation":
                resolve = idempotent(resolve)
            fields[field_name].resolve = resolve
    for type_name, resolve_type in type_resolvers.items():
        schema.type_map[type_name].resolve_type = resolve_type


def enum_values(schema, name):
    """Return the value names of an enum type of the schema."""
    return frozenset(schema.type_map[name].values)

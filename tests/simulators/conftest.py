"""Plain-pytest wiring for the simulator tests: they need no Odoo database."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    """Stand in for pytest-odoo's registry loading, which needs a database.

    The simulators are pure Python; overriding the fixture by name here keeps
    them runnable with or without an Odoo configuration.
    """
    yield

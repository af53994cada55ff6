"""Session wiring shared by the addons' tests and the root end-to-end tests.

pytest-odoo imports each addon's test modules as ``odoo.addons.<addon>.tests``,
so an addon's ``tests`` package never collides with the root ``tests`` package
(end-to-end tests and API simulators), which is imported as ``tests``.
"""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent

# The root ``tests`` package (simulators, helpers) is importable from any test,
# whatever the import mode.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _odoo_is_configured():
    try:
        from odoo.tools import config
    except ImportError:
        return False
    return bool(config.get("db_name"))


def _addon_folder(path):
    """Return the addon folder holding ``path``, or None outside the addons."""
    for folder in [path, *path.parents]:
        if folder == REPO_ROOT or REPO_ROOT not in folder.parents:
            return None
        if (folder / "__manifest__.py").is_file():
            return folder
    return None


def pytest_configure(config):
    """Refuse to collect addon tests when pytest-odoo has no Odoo database.

    Without it the addons would be imported as top-level packages instead of
    ``odoo.addons.<addon>`` and fail in confusing ways.
    """
    if _odoo_is_configured():
        return
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if _addon_folder(path):
            raise pytest.UsageError(
                f"{arg} holds Odoo tests: run them with setup/run-tests, or pass "
                "--odoo-config and --odoo-database to pytest."
            )

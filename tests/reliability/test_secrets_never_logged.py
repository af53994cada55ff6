"""No credential appears in any server log of the whole test run."""

from pathlib import Path

import odoo

from tests.e2e.conftest import ACCESS_TOKEN, WEBHOOK_SECRET
from tests.support.odoo_server import LOG_DIR


def test_no_secret_in_any_log_line(crashable_odoo):
    secrets = {
        "access token": ACCESS_TOKEN,
        "webhook secret": WEBHOOK_SECRET,
        "encryption key": odoo.tools.config.get("retail_connector_secret_key"),
    }
    logs = sorted(Path(LOG_DIR).glob("*.log"))
    assert any(log.name == "reliability-odoo.log" for log in logs)

    leaks = [
        (log.name, number, what)
        for log in logs
        for number, line in enumerate(log.read_text(errors="replace").splitlines(), 1)
        for what, secret in secrets.items()
        if secret and secret in line
    ]
    assert not leaks

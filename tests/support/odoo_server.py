"""A real Odoo server process on a copy of the test database.

End-to-end and reliability tests share it: the database is copied from the
one the test command created, configured like an administrator would, and
served by ``python -m odoo`` with its job runner, which the tests may kill
and start again.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db, db_connect

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = ROOT / ".local" / "log"


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=60.0, interval=0.25, message="condition"):
    """Poll ``predicate`` until it returns a truthy value, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Timed out after {timeout:.0f} s waiting for {message}"
            )
        time.sleep(interval)


def copy_database(source, target):
    """Create ``target`` as a copy of ``source`` (dropping an older one)."""
    close_db(source)
    close_db(target)
    with closing(db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


class OdooServer:
    """One Odoo server process and the database it serves."""

    def __init__(self, database, log_name):
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_file = LOG_DIR / log_name
        self.log_file.write_bytes(b"")
        self.process = None
        self.registry = Registry(database)
        self.backend_id = None

    @contextmanager
    def env(self):
        """A fresh transaction: sees what the server committed so far."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def count(self, model, domain):
        with self.env() as env:
            return env[model].search_count(domain)

    def webhook_url(self):
        return f"{self.url}/retail/shopify/webhook/{self.backend_id}"

    def start(self, timeout=120):
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [
                    os.environ.get("ODOO_PYTHON", sys.executable),
                    "-m",
                    "odoo",
                    "-c",
                    odoo.tools.config.rcfile,
                    "-d",
                    self.database,
                    "--http-port",
                    str(self.port),
                    "--workers",
                    "0",
                    "--max-cron-threads",
                    "0",
                    "--log-level",
                    "info",
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.answers, timeout=timeout, message="the Odoo server")

    def answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"Odoo exited; see {self.log_file}")
        try:
            response = requests.get(f"{self.url}/web/login", timeout=30)
        except (requests.ConnectionError, requests.Timeout):
            return False
        return response.status_code == 200

    def kill(self):
        """Stop the process at once, as a crash or an OOM kill would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self):
        return self.log_file.read_text(errors="replace")

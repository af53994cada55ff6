"""A small threaded HTTP/1.1 server on the loopback interface.

It turns each request into a ``Request``, asks the application for a
``Response`` and writes it; an application that raises ``DropConnection``
gets the socket closed without any answer, as a failing proxy would.
"""

import json
import logging
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

_logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
IDLE_TIMEOUT = 30


class DropConnection(Exception):
    """Raised by the application to close the connection without answering."""


@dataclass
class Request:
    """One HTTP request, body read in full."""

    method: str
    path: str
    query: dict
    headers: object
    body: bytes

    def json(self):
        """Return the body parsed as JSON (an empty body is ``{}``)."""
        if not self.body.strip():
            return {}
        return json.loads(self.body)


@dataclass
class Response:
    """A JSON answer."""

    status: int
    body: object = None
    headers: dict = field(default_factory=dict)

    def encode(self):
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ShopifySimulator/1"
    timeout = IDLE_TIMEOUT

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            self.command, url.path, dict(parse_qsl(url.query)), self.headers, body
        )
        try:
            response = self.server.app(request)
        except DropConnection:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        except Exception:
            _logger.exception("simulator failed on %s %s", self.command, url.path)
            response = Response(500, {"errors": "Internal Server Error"})
        payload = response.encode()
        headers = dict(response.headers)
        self.send_response(response.status)
        self.send_header(
            "Content-Type",
            headers.pop("Content-Type", "application/json; charset=utf-8"),
        )
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        _logger.debug("%s " + format, self.address_string(), *args)


class HttpServer:
    """Serves ``app(request) -> Response`` on 127.0.0.1 from a background thread."""

    def __init__(self, app, port=0):
        self._app = app
        self._requested_port = port
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    def start(self):
        self._server = _Server((LOOPBACK, self._requested_port), _Handler)
        self._server.app = self._app
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="shopify-sim-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = None

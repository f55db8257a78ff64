"""The example project on a threaded WSGI server, for the end-to-end edge tests that need
requests computed side by side (as gunicorn's threads would): ``python -m
tests.edge.origin PORT``.

A test-only hook, never part of mizan: a request with ``X-Mizan-Test-Hold: <seconds>``
is held that long after the project computed its response (headers and all) and before
a byte of it is sent, and the file ``$MIZAN_TEST_HOLD_DIR/held`` is written when the hold
begins. A test makes a mutation commit and purge inside that window.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HOLD = "HTTP_X_MIZAN_TEST_HOLD"


def holding(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def held(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        pending: list[tuple[Any, ...]] = []
        body = app(environ, lambda *args: pending.append(args))
        seconds = float(environ.get(HOLD) or 0)
        if seconds > 0:
            marker = Path(os.environ["MIZAN_TEST_HOLD_DIR"]) / "held"
            marker.write_text(environ.get("PATH_INFO", ""))
            time.sleep(seconds)
        start_response(*pending[0])
        return body

    return held


def main(port: int) -> None:
    import django

    django.setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Origin(ThreadedWSGIServer):
        # wsgiref writes headers and body apart: without TCP_NODELAY, Nagle and Varnish's
        # delayed ACK add ~40 ms to every response.
        def get_request(self) -> tuple[socket.socket, Any]:
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    server = Origin(("127.0.0.1", port), Quiet)
    server.set_app(holding(get_wsgi_application()))
    server.serve_forever(0.05)


if __name__ == "__main__":
    main(int(sys.argv[1]))

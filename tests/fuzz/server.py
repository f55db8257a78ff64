"""The example project under daphne on a free port, with a database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.edge.stack import stop, wait_listening
from tests.example import EXAMPLE, ROOT, example_env, manage
from tests.services import free_port


@contextmanager
def live_example() -> Iterator[int]:
    """Yield the port of a daphne serving ``example.asgi`` (HTTP and WebSocket)."""
    with tempfile.TemporaryDirectory(prefix="mizan-fuzz-") as name:
        directory = Path(name)
        env = example_env(
            directory,
            PYTHONPATH=os.pathsep.join([str(EXAMPLE), str(ROOT)]),
            MIZAN_EXAMPLE_DEBUG="0",
        )
        manage(env, "migrate", "--noinput")
        port = free_port()
        log = directory / "daphne.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "example.asgi:application",
                ],
                cwd=EXAMPLE,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_listening(port, process, log)
            yield port
        finally:
            stop(process)

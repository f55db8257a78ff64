"""``make edge``: the example project behind Varnish on 127.0.0.1, in one command.

Starts daphne (the origin) and varnishd (mizan's VCL, the origin as its backend), tells
the origin to purge that Varnish (``MIZAN_EDGE_VARNISH``), and stops both, by pid, on
Ctrl-C or when either exits.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.edge.vcl import render_vcl


class Command(BaseCommand):
    help = "Serve the example project behind Varnish (mizan's VCL) on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=6081, help="Varnish's port (6081)")
        parser.add_argument("--origin-port", type=int, default=8000, help="daphne's port (8000)")

    def handle(self, *args: Any, port: int, origin_port: int, **options: Any) -> None:
        varnishd = shutil.which("varnishd")
        if varnishd is None:
            raise CommandError("varnishd not found: apt-get install varnish varnish-modules")
        workdir = Path(tempfile.mkdtemp(prefix="mizan-edge-"))
        vcl = workdir / "mizan.vcl"
        vcl.write_text(render_vcl(f"127.0.0.1:{origin_port}"))
        env = {**os.environ, "MIZAN_EDGE_VARNISH": f"http://127.0.0.1:{port}"}
        base = Path(settings.BASE_DIR)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(origin_port),
                 "example.asgi:application"],
                cwd=base,
                env=env,
            ),
            subprocess.Popen(
                [varnishd, "-F", "-j", "none", "-n", str(workdir / "varnish"),
                 "-a", f"127.0.0.1:{port}", "-T", "none", "-f", str(vcl), "-s", "malloc,64m"],
                stdout=subprocess.DEVNULL,
            ),
        ]  # fmt: skip
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            self.wait_for(port, origin_port, processes)
            self.stdout.write(
                f"\nBehind Varnish: http://127.0.0.1:{port}/  (origin http://127.0.0.1:{origin_port}/)\n"
                f"  curl -si 'http://127.0.0.1:{port}/api/mizan/ctx/user/?user_id=1'"
                " | grep -i x-cache\n"
                f"  VCL: {vcl}\n"
                "Ctrl-C stops both.\n"
            )
            while all(p.poll() is None for p in processes):
                time.sleep(0.2)
            raise CommandError("daphne or varnishd exited; see its output above")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
            shutil.rmtree(workdir, ignore_errors=True)

    def wait_for(
        self, port: int, origin_port: int, processes: list[subprocess.Popen[bytes]]
    ) -> None:
        deadline = time.monotonic() + 30
        for target in (origin_port, port):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", target), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                        raise CommandError(f"nothing listens on 127.0.0.1:{target}") from None
                    time.sleep(0.1)

"""``python manage.py export_vcl``: the VCL mizan ships, with its settings block filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.edge.vcl import render_vcl


class Command(BaseCommand):
    help = "Write mizan's VCL for Varnish 7 + varnish-modules (xkey), for your origin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend", default="127.0.0.1:8000", help="the origin, host:port (127.0.0.1:8000)"
        )
        parser.add_argument(
            "--purger",
            action="append",
            dest="purgers",
            help="an address or network allowed to send PURGE (repeat; default localhost)",
        )
        parser.add_argument(
            "--strip-invalidate",
            action="store_true",
            help="strip X-Mizan-Invalidate and X-Mizan-Purged from responses to browsers",
        )
        parser.add_argument("--output", help="write to this file instead of printing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = render_vcl(
                options["backend"],
                options["purgers"] or ("127.0.0.1", "::1"),
                forward_invalidate=not options["strip_invalidate"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            Path(options["output"]).write_text(text)
        else:
            self.stdout.write(text, ending="")

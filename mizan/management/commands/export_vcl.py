"""``python manage.py export_vcl``: the VCL mizan ships, with its settings block filled in;
printed, written or checked."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.edge.vcl import render_vcl
from mizan.management import emit


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
        parser.add_argument(
            "--check",
            metavar="FILE",
            help="fail if FILE differs from the VCL these options give (for CI)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = render_vcl(
                options["backend"],
                options["purgers"] or ("127.0.0.1", "::1"),
                forward_invalidate=not options["strip_invalidate"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        emit(
            self,
            text,
            output=options["output"],
            check=options["check"],
            refresh=" ".join(["python manage.py export_vcl", *_options_given(options)]),
        )


def _options_given(options: dict[str, Any]) -> list[str]:
    """The options that made this VCL, so the refresh command a stale file names makes it
    again."""
    given = []
    if options["backend"] != "127.0.0.1:8000":
        given.append(f"--backend {options['backend']}")
    given += [f"--purger {purger}" for purger in options["purgers"] or ()]
    if options["strip_invalidate"]:
        given.append("--strip-invalidate")
    return given

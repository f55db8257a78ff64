"""``manage.py export_graphql_schema``: print or write the schema's SDL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.schema import get_schema


class Command(BaseCommand):
    help = "Print the mizan GraphQL schema (SDL), or write it with --output, or --check a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write the SDL to this file instead of stdout.")
        parser.add_argument(
            "--check", metavar="FILE", help="Fail if FILE differs from the current schema."
        )

    def handle(self, *args: Any, output: str | None, check: str | None, **options: Any) -> None:
        sdl = get_schema().sdl()
        if check:
            path = Path(check)
            if not path.exists() or path.read_text() != sdl:
                raise CommandError(
                    f"{check} is stale: run `python manage.py export_graphql_schema "
                    f"--output {check}` (or `make schema`) and commit it."
                )
            self.stdout.write(f"{check} is up to date.")
        elif output:
            Path(output).write_text(sdl)
            self.stdout.write(f"Wrote {output}.")
        else:
            self.stdout.write(sdl, ending="")

"""``manage.py export_client --output DIR``: the TypeScript/React client, written or checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.exceptions import RegistrationError
from mizan.registry import get_registry
from mizan.schema import get_schema
from mizan.typescript import generate_client, stale_files, write_client


class Command(BaseCommand):
    help = (
        "Write the TypeScript/React client of this project's mizan schema to --output DIR, "
        "or --check that DIR is up to date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="The directory to write (or check).")
        parser.add_argument(
            "--check", action="store_true", help="Fail if DIR differs from what would be written."
        )
        parser.add_argument(
            "--runtime-import",
            metavar="MODULE",
            help="Import mizan's runtime from MODULE (e.g. @mizan/runtime) instead of writing "
            "it into DIR/runtime/.",
        )

    def handle(
        self, *args: Any, output: str, check: bool, runtime_import: str | None, **options: Any
    ) -> None:
        registry = get_registry()
        try:
            files = generate_client(get_schema(registry), registry, runtime_import)
        except RegistrationError as exc:
            raise CommandError(str(exc)) from exc
        directory = Path(output)
        refresh = "python manage.py export_client --output " + output
        if runtime_import:
            refresh += f" --runtime-import {runtime_import}"
        if check:
            stale = stale_files(files, directory)
            if stale:
                raise CommandError(
                    f"{output} is stale ({', '.join(stale[:5])}"
                    f"{', ...' if len(stale) > 5 else ''}): run `{refresh}` and commit it."
                )
            self.stdout.write(f"{output} is up to date.")
            return
        write_client(files, directory)
        for path in stale_files(files, directory):  # files a previous export wrote, now gone
            (directory / path).unlink()
        self.stdout.write(f"Wrote {len(files)} files to {output}.")

"""``manage.py export_graphql_schema``: print or write the schema's SDL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mizan.management import emit
from mizan.schema import get_schema


class Command(BaseCommand):
    help = "Print the mizan GraphQL schema (SDL), or write it with --output, or --check a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write the SDL to this file instead of stdout.")
        parser.add_argument(
            "--check", metavar="FILE", help="Fail if FILE differs from the current schema."
        )

    def handle(self, *args: Any, output: str | None, check: str | None, **options: Any) -> None:
        emit(
            self,
            get_schema().sdl(),
            output=output,
            check=check,
            refresh="python manage.py export_graphql_schema",
        )

"""``manage.py export_edge_manifest``: the edge manifest, printed, written or checked."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mizan.edge.manifest import generate_edge_manifest, to_json
from mizan.exceptions import ManifestError
from mizan.management import emit


class Command(BaseCommand):
    help = "Print the mizan edge manifest (JSON), write it with --output, or --check a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write the manifest to this file.")
        parser.add_argument("--base-url", help="Prefix every URL, e.g. https://example.com.")
        parser.add_argument(
            "--view-urls",
            metavar="JSON",
            help='View patterns by function name: \'{"profile_page": '
            '"/profile/:user_id/"}\' (default: found in the URLconf).',
        )
        parser.add_argument(
            "--check", metavar="FILE", help="Fail if FILE differs from the current manifest."
        )

    def handle(
        self,
        *args: Any,
        output: str | None,
        base_url: str | None,
        view_urls: str | None,
        check: str | None,
        **options: Any,
    ) -> None:
        try:
            urls = json.loads(view_urls) if view_urls else None
        except ValueError as exc:
            raise CommandError(f"--view-urls is not JSON: {exc}") from exc
        try:
            text = to_json(generate_edge_manifest(view_urls=urls, base_url=base_url))
        except ManifestError as exc:
            raise CommandError(str(exc)) from exc
        emit(
            self, text, output=output, check=check, refresh="python manage.py export_edge_manifest"
        )

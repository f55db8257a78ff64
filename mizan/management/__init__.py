"""Helpers shared by mizan's management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


def emit(
    command: BaseCommand, text: str, *, output: str | None, check: str | None, refresh: str
) -> None:
    """Print a generated artifact, write it to ``output``, or fail if ``check`` is stale
    (naming ``refresh``, the command that rewrites it)."""
    if check:
        path = Path(check)
        if not path.exists() or path.read_text() != text:
            raise CommandError(f"{check} is stale: run `{refresh} --output {check}` and commit it.")
        command.stdout.write(f"{check} is up to date.")
    elif output:
        Path(output).write_text(text)
        command.stdout.write(f"Wrote {output}.")
    else:
        command.stdout.write(text, ending="")

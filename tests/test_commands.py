from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mizan.client import client
from mizan.schema import get_schema


@pytest.fixture(autouse=True)
def functions() -> None:
    @client(read_only=True)
    def ping(request) -> bool:
        """Answers true."""
        return True


def test_export_graphql_schema_prints_the_sdl() -> None:
    out = StringIO()
    call_command("export_graphql_schema", stdout=out)
    assert out.getvalue() == get_schema().sdl()
    assert '"""Answers true."""\n  ping: Boolean!' in out.getvalue()


def test_export_graphql_schema_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    call_command("export_graphql_schema", "--output", str(target), stdout=StringIO())
    assert target.read_text() == get_schema().sdl()
    call_command("export_graphql_schema", "--check", str(target), stdout=StringIO())
    target.write_text("type Query { stale: Int }\n")
    with pytest.raises(
        CommandError,
        match=r"stale: run `python manage\.py export_graphql_schema"
        r" --output .*schema\.graphql`",
    ):
        call_command("export_graphql_schema", "--check", str(target))

"""The reference pages are read from the code: every setting, check, command and code."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mizan.conf import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent


def load_reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docgen_reference", ROOT / "docgen/reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


reference = load_reference()


def test_every_setting_is_in_the_table_with_its_default_type_and_doc() -> None:
    table = reference.settings_table()
    for key, default in DEFAULTS.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{key}` |"))
        assert f"`{default!r}`" in row
    assert "| `CONTEXT_TTL` | `300` | int | Seconds a context's entries live" in table
    assert "| `PURGE_WAIT` | `1.0` | int or float |" in table


def test_a_setting_without_a_doc_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from mizan.conf import Settings

    monkeypatch.setattr(Settings.GRAPHIQL, "doc", "")
    with pytest.raises(reference.DocsError, match="'GRAPHIQL' has no doc"):
        reference.settings_table()


def test_every_system_check_id_in_the_code_is_listed() -> None:
    ids = [check["id"] for check in reference.system_checks()]
    sources = "\n".join(p.read_text() for p in (ROOT / "mizan").rglob("*.py"))

    assert sorted(set(re.findall(r'id="(mizan\.[EW]\d+)"', sources))) == ids
    assert "Unknown key … in settings.MIZAN is ignored." in reference.checks_table()


def test_every_command_is_listed_with_its_own_options() -> None:
    section = reference.commands_section()
    names = sorted(p.stem for p in (ROOT / "mizan/management/commands").glob("[!_]*.py"))
    assert [line[5:-1] for line in section.splitlines() if line.startswith("### ")] == names
    assert "| `--check FILE` | Fail if FILE differs from the current schema. |" in section
    assert "--settings" not in section


def test_an_error_code_without_a_description_stops_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(reference.ERROR_CODES, "PAYLOAD_TOO_LARGE")
    with pytest.raises(reference.DocsError, match="PAYLOAD_TOO_LARGE"):
        reference.error_codes_table()


def test_a_described_code_nothing_sends_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(reference.ERROR_CODES, "NEVER_SENT", "Nothing sends it.")
    monkeypatch.setattr(reference, "error_codes", lambda: {"BAD_REQUEST": ["x.py"]})
    with pytest.raises(reference.DocsError, match="NEVER_SENT"):
        reference.error_codes_table()


def test_an_unknown_marker_stops_the_build() -> None:
    with pytest.raises(reference.DocsError, match="mizan:nope"):
        reference.expand("<!-- mizan:nope -->")


def test_every_install_line_names_the_distribution_django_mizan() -> None:
    """``mizan`` on the package index is another project: no doc may install it."""
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "mizan").rglob("*.py")]
    wrong = re.compile(r"""(pip install|uv add|uv pip install)\s+["']?mizan\b""")
    offenders = [str(f.relative_to(ROOT)) for f in files if wrong.search(f.read_text())]
    assert offenders == []
    assert 'pip install "django-mizan[channels]"' in (ROOT / "docs/tutorial.md").read_text()


def test_the_python_api_page_lists_every_export_and_draws_every_exception() -> None:
    import mizan

    table = reference.exports_table()
    for name in mizan.__all__:
        assert f"| `{name}` |" in table
    tree = reference.exception_tree()
    assert tree.startswith("```text\nMizanError ")
    for name in mizan.exceptions.__all__:
        assert f"{name} " in tree
    page = (ROOT / "docs/reference/python-api.md").read_text()
    assert "<!-- mizan:exports -->" in page and "<!-- mizan:exceptions -->" in page

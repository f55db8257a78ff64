"""The forms guide tells the truth: its first snippet runs and answers as shown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django import forms

from tests.conftest import GraphQL

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "forms.md"


def forms_section() -> str:
    text = GUIDE.read_text()
    return text[: text.index("\n## ModelForms\n")]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", forms_section(), re.S)


@pytest.mark.django_db
def test_the_snippet_runs_and_answers_as_the_guide_shows(post: GraphQL) -> None:
    namespace: dict[str, Any] = {"__name__": "readme", "forms": forms}
    exec(compile(blocks("python")[0], "docs/guides/forms.md", "exec"), namespace)
    operation = blocks("graphql")[1]
    assert json.loads(blocks("json")[0]) == post(operation).json()
    sent = post(operation.replace('"nope"', '"ada@example.com"')).json()
    assert sent["data"]["contactSubmit"]["result"] == {"sent": True}


def test_the_root_fields_it_lists_are_the_real_ones() -> None:
    from mizan.schema import get_schema

    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(blocks("python")[0], "docs/guides/forms.md", "exec"), namespace)
    sdl = get_schema().sdl()
    shown = [line.split("#")[0].strip() for line in blocks("graphql")[0].splitlines()]
    roots = [line for line in shown if line.startswith("contact")]
    assert len(roots) == 3
    for line in roots:
        assert f"  {line}\n" in sdl

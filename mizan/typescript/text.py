"""Spelling TypeScript source: string literals and doc comments."""

from __future__ import annotations

import json
from typing import Any


def quote(value: str) -> str:
    """A TypeScript string literal (JSON's spelling is one)."""
    return json.dumps(value, ensure_ascii=False)


def literal(value: Any) -> str:
    """A JSON value as a TypeScript literal: sorted keys, so the output is deterministic."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def comment(text: str | None, indent: str = "") -> str:
    """A ``/** ... */`` doc comment, or nothing; ``*/`` inside the text cannot end it."""
    if not text:
        return ""
    lines = text.replace("*/", "*\\/").strip().splitlines()
    if len(lines) == 1:
        return f"{indent}/** {lines[0]} */\n"
    body = "".join(f"{indent} * {line}".rstrip() + "\n" for line in lines)
    return f"{indent}/**\n{body}{indent} */\n"

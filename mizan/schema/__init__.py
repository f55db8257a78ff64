"""Compilation: the registry's definitions → one Strawberry schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mizan.setup.registry import get_registry

if TYPE_CHECKING:
    from mizan.schema.compiler import CompiledSchema


def get_schema() -> CompiledSchema:
    """The schema of the current registry, built on first use."""
    return get_registry().compiled()

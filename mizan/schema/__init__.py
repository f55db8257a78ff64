"""Compilation: the registry's definitions → one Strawberry schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.schema.base import BaseSchema

from mizan.setup.registry import get_registry

if TYPE_CHECKING:
    from mizan.schema.compiler import CompiledSchema


def get_schema() -> CompiledSchema:
    """The schema of the current registry, built on first use."""
    return get_registry().compiled()


class CurrentSchema:
    """A class attribute that is always the current registry's Strawberry schema.

    Strawberry's views and consumers take a schema when they are made and assign it
    in ``__init__``; mizan's schema is built lazily, on first use, so that
    assignment is ignored and every read asks the registry."""

    def __get__(self, instance: object, owner: type | None = None) -> BaseSchema:
        return get_schema().schema

    def __set__(self, instance: object, value: object) -> None:
        pass

"""Compilation: the registry's definitions → one Strawberry schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.schema.base import BaseSchema

from mizan.registry import Registry, get_registry

if TYPE_CHECKING:
    from mizan.schema.compiler import CompiledSchema


def compile_registry(registry: Registry) -> CompiledSchema:
    """``registry``'s schema (derive it with ``registry.derive(compile_registry)``)."""
    from mizan.contexts import contexts_of
    from mizan.schema.compiler import compile_schema

    return compile_schema(list(registry), registry.channels(), registry.derive(contexts_of))


def get_schema(registry: Registry | None = None) -> CompiledSchema:
    """The schema of ``registry`` (the current one by default), built on first use."""
    return (registry or get_registry()).derive(compile_registry)


class CurrentSchema:
    """A class attribute that is always the current registry's Strawberry schema.

    Strawberry's views and consumers take a schema when they are made and assign it
    in ``__init__``; mizan's schema is built lazily, on first use, so that
    assignment is ignored and every read asks the registry."""

    def __get__(self, instance: object, owner: type | None = None) -> BaseSchema:
        return get_schema().schema

    def __set__(self, instance: object, value: object) -> None:
        pass

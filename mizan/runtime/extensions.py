"""Strawberry schema extensions (``MIZAN["EXTENSIONS"]``), run by the runtime on every
transport, with Strawberry's own runner and hooks.

Each operation makes one instance of each configured class (as Strawberry does, so no
state leaks between requests). ``on_operation`` wraps the whole operation,
``on_parse``/``on_validate`` run on a document-cache miss only (a cached document was
parsed and validated earlier), ``on_execute`` wraps execution, and a ``resolve`` hook
runs per field only when a configured extension defines one. With none configured the
runtime builds none of this: the hot path does no extra work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from graphql import MiddlewareManager
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

Factory = Callable[..., SchemaExtension]


def load(entries: Iterable[Any]) -> tuple[Factory, ...]:
    """The configured extensions as factories; a clear error for anything else."""
    found: list[Factory] = []
    for index, entry in enumerate(entries):
        where = f"MIZAN['EXTENSIONS'][{index}]"
        if isinstance(entry, str):
            try:
                entry = import_string(entry)
            except ImportError as exc:
                raise ImproperlyConfigured(
                    f"{where} = {entry!r} cannot be imported: {exc}"
                ) from exc
        if isinstance(entry, SchemaExtension):
            name = type(entry).__name__
            raise ImproperlyConfigured(
                f"{where} is an instance of {name}; give the class ({name}, or "
                f"functools.partial({name}, ...) for arguments), as Strawberry takes it: "
                "mizan makes one instance per operation, so no state leaks between requests."
            )
        if not callable(entry):
            raise ImproperlyConfigured(
                f"{where} = {entry!r} is not a Strawberry extension class (a SchemaExtension "
                "subclass, or a factory returning an instance)."
            )
        found.append(entry)
    return tuple(found)


class Hooks:
    """One operation's extensions: Strawberry's execution context, runner and middleware."""

    def __init__(
        self,
        factories: tuple[Factory, ...],
        schema: Schema,
        context: Any,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: object,
        extensions: dict[str, Any] | None,
    ) -> None:
        self.execution = ExecutionContext(
            query=query,
            schema=schema,
            allowed_operations=frozenset(OperationType),
            context=context,
            variables=variables,
            provided_operation_name=operation_name if isinstance(operation_name, str) else None,
            operation_extensions=extensions,
        )
        self.extensions = [factory(execution_context=self.execution) for factory in factories]
        for extension in self.extensions:  # as Strawberry: older extensions read the attribute
            extension.execution_context = self.execution
        self.runner = SchemaExtensionsRunner(self.execution, self.extensions)
        resolving = [e for e in self.extensions if e._implements_resolve()]
        self.middleware = MiddlewareManager(*resolving) if resolving else None

    def results(self) -> dict[str, Any]:
        """What the extensions add to the response's ``extensions``."""
        return self.runner.get_extensions_results_sync()

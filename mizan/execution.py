"""Running one operation: each document parsed and validated once, then graphql-core executes it.

Strawberry's ``Schema.execute_sync`` builds, on every request, a fresh instance
of each extension, an extensions runner, a middleware manager and an execution
context, then runs parsing and validation through the cache extensions' hooks:
for an echo, 82 µs against 32 µs for graphql-core's own ``execute`` on a
document validated earlier (``make bench``). mizan's view and test client call
:class:`Executor` instead: the same rules (built once, with the schema),
the same limits, the same error codes, a fraction of the work.
Strawberry's path, with the same rules as extensions, stays for anything else
that runs operations through the schema.

Documents are cached by their full text, per compiled schema: a client cannot
pick a cache entry with a hash of its own, and a changed schema (a new
registry, new settings) starts a new cache.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterable, Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeGuard

from asgiref.sync import async_to_sync
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    parse,
    validate,
)
from graphql.execution.executor import Executor as GraphQLExecutor
from strawberry.exceptions import MissingQueryError
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

logger = logging.getLogger("mizan")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

# The cache's bound in document text, besides its number of entries. A parsed
# document keeps every token for error locations: ~180 bytes a character for a
# dense one, so this caps the cache near 200 MB whatever clients send, while
# hundreds of ordinary documents (a few hundred characters each) fit.
CACHE_CHARACTERS = 1024 * 1024


def add_code(error: GraphQLError, code: str) -> GraphQLError:
    """Give ``error`` an ``extensions.code`` unless it has one."""
    if "code" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def execution_code(error: GraphQLError) -> str:
    """The code of an error raised while executing, by graphql-core rather than a function."""
    return "BAD_USER_INPUT" if error.path is None else "INTERNAL_SERVER_ERROR"


@dataclass(frozen=True, slots=True)
class Document:
    """One document text, parsed and validated against one schema."""

    node: DocumentNode | None
    errors: tuple[GraphQLError, ...]  # parse errors when node is None, else validation errors
    operations: dict[str, OperationType]  # named operations
    first: tuple[str | None, OperationType] | None  # the first operation: its name and type

    def operation(self, name: object) -> tuple[str | None, OperationType]:
        """The operation a request runs, as Strawberry picks it: by name, else the first."""
        if name is None:
            if self.first is None:
                raise CannotGetOperationTypeError(None)
            return self.first
        if not isinstance(name, str) or name not in self.operations:
            raise CannotGetOperationTypeError(name)  # type: ignore[arg-type]  # as Strawberry
        return name, self.operations[name]


class DocumentCache:
    """A thread-safe LRU of prepared documents, bounded in entries and in characters."""

    def __init__(
        self,
        prepare: Callable[[str], Document],
        *,
        max_entries: int,
        max_characters: int = CACHE_CHARACTERS,
    ) -> None:
        self.prepare = prepare
        self.max_entries = max_entries
        self.max_characters = max_characters
        self.characters = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, text: object) -> bool:
        return text in self._entries

    def get(self, text: str) -> Document:
        with self._lock:
            document = self._entries.get(text)
            if document is not None:
                self._entries.move_to_end(text)
                self.hits += 1
                return document
            self.misses += 1
        document = self.prepare(text)  # outside the lock: other requests go on meanwhile
        if len(text) > self.max_characters or self.max_entries < 1:
            return document
        with self._lock:
            if text not in self._entries:
                self._entries[text] = document
                self.characters += len(text)
                while len(self._entries) > self.max_entries or (
                    self.characters > self.max_characters
                ):
                    evicted, _ = self._entries.popitem(last=False)
                    self.characters -= len(evicted)
        return document


class Executor:
    """Runs operations against one compiled schema; documents are prepared once, by text."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: tuple[type[ASTValidationRule], ...],
        *,
        max_tokens: int,
        cache_size: int,
        executor_class: type[GraphQLExecutor[Any]] | None = None,
    ) -> None:
        self.schema = schema
        self.executor_class = executor_class
        self.rules = rules  # one tuple for the process: validation never rebuilds them
        self.max_tokens = max_tokens
        self.documents = DocumentCache(self.prepare, max_entries=cache_size)

    def document(self, text: str) -> Document:
        return self.documents.get(text)

    def prepare(self, text: str) -> Document:
        try:
            node = parse(text, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return Document(None, (add_code(error, PARSE_FAILED),), {}, None)
        operations: dict[str, OperationType] = {}
        first: tuple[str | None, OperationType] | None = None
        for definition in node.definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                kind = OperationType(definition.operation.value)
                if first is None:
                    first = (name, kind)
                if name is not None:
                    operations.setdefault(name, kind)
        errors = validate(self.schema, node, self.rules)
        return Document(
            node, tuple(add_code(e, VALIDATION_FAILED) for e in errors), operations, first
        )

    async def execute(
        self,
        query: str | None,
        *,
        variables: dict[str, Any] | None,
        operation_name: object,
        context: Any,
        allowed: Collection[OperationType],
        root_value: Any = None,
    ) -> ExecutionResult:
        """Run ``query`` where resolvers may be async (``context.is_async``).

        Raises what Strawberry's view turns into a 400 (no query, an unknown
        operation) and :class:`InvalidOperationTypeError` for an operation the
        HTTP method does not allow, before anything runs, exactly where
        Strawberry's ``execute_sync`` does.
        """
        result = self._run(query, variables, operation_name, context, allowed, root_value)
        if inspect.isawaitable(result):
            return await _await(result)
        return _with_codes(result)

    def execute_sync(
        self,
        query: str | None,
        *,
        variables: dict[str, Any] | None,
        operation_name: object,
        context: Any,
        allowed: Collection[OperationType],
        root_value: Any = None,
    ) -> ExecutionResult:
        """:meth:`execute` for a sync caller (a WSGI view).

        mizan's resolvers never return an awaitable here; another field that does
        (an async Strawberry resolver) is awaited through asgiref, as mizan runs an
        async function under WSGI.
        """
        result = self._run(
            query, variables, operation_name, context, allowed, root_value, sync=True
        )
        if inspect.isawaitable(result):
            return async_to_sync(_await)(result)
        return _with_codes(result)

    def _run(
        self,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: object,
        context: Any,
        allowed: Collection[OperationType],
        root_value: Any,
        *,
        sync: bool = False,
    ) -> ExecutionResult | Awaitable[ExecutionResult]:
        if not query:
            raise MissingQueryError
        document = self.document(query)
        if document.node is None:
            return ExecutionResult(None, list(document.errors))
        name, kind = document.operation(operation_name)
        if kind not in allowed:
            raise InvalidOperationTypeError(kind)
        if document.errors:
            return ExecutionResult(None, list(document.errors))
        try:
            return execute(
                self.schema,
                document.node,
                root_value=root_value,
                context_value=context,
                variable_values=variables,
                operation_name=name,
                executor_class=self.executor_class,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard in all but name
                # As Strawberry's execute_sync: a QuerySet has __aiter__, and iterating it
                # asynchronously would start an event loop for a sync request.
                is_async_iterable=never if sync else None,
            )
        except Exception as exc:
            return _failed(exc)


def never(_value: Any) -> TypeGuard[AsyncIterable[Any]]:
    return False


async def _await(result: Awaitable[ExecutionResult]) -> ExecutionResult:
    try:
        return _with_codes(await result)
    except Exception as exc:
        return _failed(exc)


def _with_codes(result: ExecutionResult) -> ExecutionResult:
    for error in result.errors or ():
        add_code(error, execution_code(error))
    return result


def _failed(exc: Exception) -> ExecutionResult:
    # graphql-core reports field and request errors in the result; an exception
    # escaping it is a bug, so the client gets no detail of it.
    logger.error("mizan: executing an operation failed", exc_info=exc)
    error = GraphQLError("Internal server error.", original_error=exc)
    return ExecutionResult(None, [add_code(error, "INTERNAL_SERVER_ERROR")])

"""The runtime: the one engine that runs operations, made once from the frozen registry.

Every transport (``graphql/`` in all its forms, ``ctx/`` and ``q/``, the
hydrate tag, the test client, the WebSocket consumer and :func:`mizan.execute`)
hands its operation to a :class:`Runtime`, which owns everything a guarantee
depends on: the document cache and the limits, trusted documents and APQ,
the refusal of writes in a URL, the functions' calls (auth, arguments, the
context cache, transactions), the error step and the collection of
invalidations. A guarantee written here holds on every transport.

Strawberry's ``Schema.execute_sync`` builds, on every request, a fresh instance
of each extension, an extensions runner, a middleware manager and an execution
context, then parses and validates through the cache extensions' hooks: for an
echo, 82 µs against 32 µs for graphql-core's own ``execute`` on a document
validated earlier (``make bench``). The runtime calls graphql-core's
``execute`` and ``subscribe`` on documents it prepared once.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from inspect import isawaitable
from typing import Any, TypeGuard

from asgiref.sync import async_to_sync, sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    located_error,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import create_source_event_stream, execute_subscription_event
from graphql.execution.executor import Executor
from graphql.execution.executor_throwing_on_incremental import ExecutorThrowingOnIncremental
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types.graphql import OperationType

from mizan.cache import ContextCache
from mizan.conf import mizan_settings
from mizan.definitions import Kind
from mizan.invalidation import Invalidation, collecting
from mizan.naming import argument_name
from mizan.persisted.operations import PersistedOperation
from mizan.ratelimit import refused
from mizan.runtime import live, model_cache
from mizan.runtime.calls import Call, Resolver
from mizan.runtime.context import Bundle, MizanContext, Shared
from mizan.runtime.documents import Document, DocumentCache, Operation, analyse
from mizan.runtime.errors import (
    PARSE_FAILED,
    VALIDATION_FAILED,
    Refusal,
    add_code,
    finish,
    judge,
    method_not_allowed,
)
from mizan.runtime.extensions import Hooks, load
from mizan.runtime.limits import (
    LimitExceeded,
    Limits,
    check_document,
    check_document_length,
    check_tokens,
    check_variables,
)
from mizan.runtime.trusted import Refused, document_for
from mizan.schema import model_types
from mizan.schema.compiler import CompiledSchema
from mizan.schema.selections import root_fields
from mizan.schema.types import TypeBuilder

# Strawberry adds these to every validation (strawberry.schema.schema.validate_document).
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)
# What the error step reads of a live push's operation: its type.
LIVE_OPERATION = Operation(None, OperationType.SUBSCRIPTION, None)


#: How results are encoded on every transport: compact, with Django's types (dates,
#: decimals, UUIDs, lazy strings).
JSON_ENCODER = DjangoJSONEncoder(separators=(",", ":"))


class Result(ExecutionResult):
    """graphql-core's result, with what transports need besides: the type of the
    operation that ran (None: it never started), the invalidations it applied, and
    ``retry_after`` when every root field was refused by a rate limit (HTTP: a 429)."""

    __slots__ = ("_payload", "invalidations", "operation", "retry_after")

    def __init__(
        self,
        data: dict[str, Any] | None,
        errors: Sequence[GraphQLError] | None,
        extensions: dict[str, Any] | None = None,
        operation: OperationType | None = None,
        invalidations: tuple[Invalidation, ...] = (),
    ) -> None:
        super().__init__(data, list(errors) if errors else None, extensions)
        self.operation = operation
        self.invalidations = invalidations
        self.retry_after: int | None = None
        self._payload: str | None = None

    def payload(self) -> str:
        """The result as its JSON object (``data``, then ``errors`` and ``extensions``
        when there are any), encoded once: a push shared by a thousand subscribers is
        encoded for all of them at once."""
        if self._payload is None:
            body: dict[str, Any] = {"data": self.data}
            if self.errors:
                body["errors"] = [error.formatted for error in self.errors]
            if self.extensions:
                body["extensions"] = self.extensions
            self._payload = JSON_ENCODER.encode(body)
        return self._payload


def introspection_allowed() -> bool:
    return bool(mizan_settings.INTROSPECTION) and not mizan_settings.TRUSTED_DOCUMENTS_ONLY


def validation_rules() -> tuple[Any, ...]:
    # Rule classes are made once, with the runtime: a new class per request would never
    # hit the document cache, which holds validated documents.
    rules = [
        *specified_rules,
        *STRAWBERRY_RULES,
    ]
    if not introspection_allowed():
        rules += DisableIntrospection().validation_rules
    return tuple(rules)


def refuse_in_url(operation: Operation) -> Refusal | None:
    """Writes and form data never travel in a URL (GET): one rule, one code, everywhere."""
    if operation.kind is OperationType.MUTATION:
        what = f"{operation.name} is a mutation" if operation.name else "A mutation"
        return method_not_allowed(f"{what}, which must not travel in a URL: send it as POST.")
    if operation.post_only is not None:
        return method_not_allowed(
            f"{operation.post_only} takes form data, which must not travel in a URL: "
            "send it as POST."
        )
    return None


class Runtime:
    """Runs operations against one compiled schema; see the module docstring."""

    def __init__(self, compiled: CompiledSchema) -> None:
        self.compiled = compiled
        self.schema: GraphQLSchema = compiled.schema._schema
        # The SDL versions cache keys: a deploy that changes a type never reads an old shape.
        self.cache = ContextCache(version=compiled.hash)
        self.calls = self._install()
        # Context functions with strawberry-django results are cached in the executor.
        self.executor_class = model_cache.executor_class(list(self.calls), self.cache)
        self.rules = validation_rules()
        self.max_tokens: int = mizan_settings.MAX_TOKENS
        # Depth, aliases, selections and variables: checked before validation, which they
        # protect, in time linear in the request (mizan.runtime.limits), not as validation rules.
        self.limits = Limits.from_settings()
        self.extensions = load(mizan_settings.EXTENSIONS)
        self.post_only = frozenset(name for name, d in compiled.functions.items() if d.post_only)
        self.documents = DocumentCache(self.prepare, max_entries=mizan_settings.DOCUMENT_CACHE_SIZE)
        # Persisted documents were parsed and validated at start-up, without the limits
        # meant for arbitrary documents: they are the developer's own.
        self.persisted = {
            op.name: analyse(op.node, (), self.post_only) for op in compiled.operations.values()
        }

    # --- building -------------------------------------------------------------------

    def _install(self) -> tuple[Call, ...]:
        """Put each function's call behind its root field, and plain attribute reads
        behind every other field of mizan's types."""
        compiled, schema = self.compiled, self.schema
        calls: dict[str, Call] = {}
        for name, definition in sorted(compiled.functions.items()):
            calls[name] = Call(
                definition,
                compiled.types,
                context=compiled.contexts.get(definition.context_name or ""),
                affects=compiled.affects.get(name, ()),
                # A strawberry-django result is a QuerySet, not a value to store: its
                # serialised form is cached per selection instead (see model_cache).
                cache=self.cache
                if model_types.django_type_of(definition.returns) is None
                else None,
            )
            if definition.kind is not Kind.SUBSCRIPTION:
                field = compiled.field(definition)
                field.resolve = _resolver(calls[name], field)
        _read_attributes_directly(schema, compiled.types)
        model_types.read_columns_directly(schema)
        for name, channel in compiled.channels.items():
            # The plug-in's hook (the runtime never imports channels).
            assert channel.install is not None and schema.subscription_type is not None
            channel.install(schema.subscription_type.fields[name], channel, calls[name])
        for context in compiled.live.values():
            live.LiveField(self, context).install(compiled.live_field(context))
            for definition in context.readable:
                field = compiled.bundle_field(context, definition)
                field.resolve = _in_bundle(_resolver(calls[definition.field_name], field))
        return tuple(calls.values())

    def prepare_calls(self) -> None:
        """Build what each function's first call would (``manage.py check``)."""
        for call in self.calls:
            call.prepare()

    def prepare(self, text: str) -> Document:
        """Parse and validate ``text`` (a document-cache miss)."""
        try:
            node = self.parse(text)
        except GraphQLError as error:
            return Document(None, (add_code(error, PARSE_FAILED),), {}, None)
        except LimitExceeded as exceeded:
            return Document(None, (exceeded.error,), {}, None)
        if (refused := self.refuse_document(node)) is not None:
            return refused
        errors = validate(self.schema, node, self.rules)
        return analyse(node, tuple(add_code(e, VALIDATION_FAILED) for e in errors), self.post_only)

    def prepare_hooked(self, text: str, hooks: Hooks) -> Document:
        """:meth:`prepare` inside the extensions' ``on_parse`` and ``on_validate``."""
        with hooks.runner.parsing():
            try:
                node = self.parse(text)
            except GraphQLError as error:
                return Document(None, (add_code(error, PARSE_FAILED),), {}, None)
            except LimitExceeded as exceeded:
                return Document(None, (exceeded.error,), {}, None)
        hooks.execution.graphql_document = node
        if (refused := self.refuse_document(node)) is not None:
            return refused
        with hooks.runner.validation():
            errors = validate(self.schema, node, self.rules)
        return analyse(node, tuple(add_code(e, VALIDATION_FAILED) for e in errors), self.post_only)

    def parse(self, text: str) -> DocumentNode:
        """graphql-core's parse, a text over ``MAX_DOCUMENT_LENGTH`` refused before it
        (:class:`LimitExceeded`), and one over ``MAX_TOKENS`` too (the parser's own error,
        found in a tenth of the time: :func:`~mizan.runtime.limits.check_tokens`)."""
        check_document_length(text, self.limits)
        check_tokens(text, self.max_tokens)
        return parse(text, max_tokens=self.max_tokens)

    def refuse_document(self, node: DocumentNode) -> Document | None:
        try:
            check_document(node, self.limits)
        except LimitExceeded as refused:
            return Document(None, (refused.error,), {}, None)
        return None

    def refuse_variables(self, variables: object) -> ExecutionResult | None:
        try:
            check_variables(variables, self.limits)
        except LimitExceeded as refused:
            return ExecutionResult(None, [refused.error])
        return None

    def hooks(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: object,
        extensions: dict[str, Any] | None,
    ) -> Hooks | None:
        """This operation's extensions; None (nothing built) when none is configured."""
        if not self.extensions:
            return None
        return Hooks(
            self.extensions,
            self.compiled.schema,
            context,
            query,
            variables,
            operation_name,
            extensions,
        )

    # --- running --------------------------------------------------------------------

    def execute_sync(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None = None,
        operation_name: object = None,
        extensions: dict[str, Any] | None = None,
        *,
        in_url: bool = False,
        trusted: bool = False,
    ) -> Result:
        """Run one operation from sync code (a WSGI view, a task, a test).

        ``in_url``: the request came as a GET, so writes and form data are refused
        (405). ``trusted``: server code wrote the document, so trusted-documents-only
        does not apply. Raises :class:`Refusal` when the request cannot run at all.
        """
        hooks = self.hooks(context, query, variables, operation_name, extensions)
        if hooks is None:
            begun = self.begin(query, extensions, operation_name, in_url=in_url, trusted=trusted)
            if isinstance(begun, Result):
                return begun
            return self.run_sync(context, *begun, variables)
        with hooks.runner.operation():
            begun = self.begin(
                query, extensions, operation_name, in_url=in_url, trusted=trusted, hooks=hooks
            )
            if not isinstance(begun, Result):
                begun = self.run_sync(context, *begun, variables, hooks=hooks)
        return _with_results(begun, hooks)

    async def execute(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None = None,
        operation_name: object = None,
        extensions: dict[str, Any] | None = None,
        *,
        in_url: bool = False,
        trusted: bool = False,
    ) -> Result:
        """:meth:`execute_sync` under an event loop (``context.is_async``)."""
        hooks = self.hooks(context, query, variables, operation_name, extensions)
        if hooks is None:
            begun = await self.abegin(
                query, extensions, operation_name, in_url=in_url, trusted=trusted
            )
            if isinstance(begun, Result):
                return begun
            return await self.run(context, *begun, variables)
        async with hooks.runner.operation():
            begun = await self.abegin(
                query, extensions, operation_name, in_url=in_url, trusted=trusted, hooks=hooks
            )
            if not isinstance(begun, Result):
                begun = await self.run(context, *begun, variables, hooks=hooks)
        return _with_results(begun, hooks)

    def execute_persisted(
        self,
        context: MizanContext,
        operation: PersistedOperation,
        variables: dict[str, Any] | None,
    ) -> Result:
        """Run a persisted operation, prepared at start-up, from a GET (``ctx/``, ``q/``,
        the hydrate tag). Raises :class:`Refusal` for one that must not run in a URL."""
        document = self.persisted[operation.name]
        assert document.first is not None
        if (refusal := refuse_in_url(document.first)) is not None:
            raise refusal
        hooks = self.hooks(context, operation.text, variables, operation.name, None)
        if hooks is None:
            return self.run_sync(context, document, document.first, variables)
        hooks.execution.graphql_document = document.node
        with hooks.runner.operation():
            result = self.run_sync(context, document, document.first, variables, hooks=hooks)
        return _with_results(result, hooks)

    async def stream(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None = None,
        operation_name: object = None,
        extensions: dict[str, Any] | None = None,
    ) -> Result | AsyncIterator[Result]:
        """Run one operation for a streaming transport (WebSocket): a :class:`Result`
        when it fails before it starts, otherwise its results (one for a query or a
        mutation, one per event for a subscription)."""
        hooks = self.hooks(context, query, variables, operation_name, extensions)
        if hooks is not None:
            return await self._stream_hooked(context, query, variables, operation_name, hooks)
        try:
            begun = await self.abegin(query, extensions, operation_name)
        except Refusal as refusal:
            return Result(None, [refusal.error])
        if isinstance(begun, Result):
            return begun
        document, operation = begun
        if operation.kind is not OperationType.SUBSCRIPTION:
            return _once(await self.run(context, document, operation, variables))
        try:
            source = await self._subscribe(context, document, operation, variables, None)
        except Exception as exc:
            return Result(None, [judge(exc)], operation=operation.kind)
        if isinstance(source, ExecutionResult):
            return self.finish(source, operation)
        return source

    async def _stream_hooked(
        self,
        context: MizanContext,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: object,
        hooks: Hooks,
    ) -> Result | AsyncIterator[Result]:
        """:meth:`stream` inside the extensions' hooks: for a subscription, the operation
        and execution hooks wrap setting the stream up, and each event's fields run
        through the resolve hooks."""
        extensions = hooks.execution.operation_extensions
        async with hooks.runner.operation():
            try:
                begun = await self.abegin(query, extensions, operation_name, hooks=hooks)
            except Refusal as refusal:
                return Result(None, [refusal.error])
            if isinstance(begun, Result):
                return begun
            document, operation = begun
            if operation.kind is not OperationType.SUBSCRIPTION:
                result = await self.run(context, document, operation, variables, hooks=hooks)
                return _once(_with_results(result, hooks))
            try:
                async with hooks.runner.executing():
                    source = await self._subscribe(context, document, operation, variables, hooks)
            except Exception as exc:
                return Result(None, [judge(exc)], operation=operation.kind)
        if isinstance(source, ExecutionResult):
            return self.finish(source, operation)
        return source

    async def _subscribe(
        self,
        context: MizanContext,
        document: Document,
        operation: Operation,
        variables: dict[str, Any] | None,
        hooks: Hooks | None,
    ) -> AsyncIterator[Result] | ExecutionResult:
        """graphql-core's subscribe, composed as its docs show, so that each event is
        mapped by :meth:`_responses`."""
        assert document.node is not None
        if (refused := self.refuse_variables(variables)) is not None:
            return refused
        # A live subscription's resolver finds its executor on the root, to run each push.
        is_live = bool(self.compiled.live) and self._is_live(document, operation)
        root = live.LiveRoot() if is_live else None
        executor = (self.executor_class or ExecutorThrowingOnIncremental).build(
            self.schema,
            document.node,
            root,
            context,
            variables,
            operation.name,
            middleware=hooks.middleware if hooks is not None else None,
        )
        if isinstance(executor, list):
            return ExecutionResult(None, executor)
        if root is not None:
            root.executor = executor
        source = create_source_event_stream(executor)
        if isawaitable(source):
            source = await source
        if isinstance(source, ExecutionResult):
            return source
        return self._responses(executor, source, operation, shared=hooks is None)

    def _is_live(self, document: Document, operation: Operation) -> bool:
        """Whether the subscription selects a live context's field (its only root field)."""
        assert document.node is not None
        fragments = {
            d.name.value: d
            for d in document.node.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        for node in document.node.definitions:
            if isinstance(node, OperationDefinitionNode) and (
                operation.name is None or (node.name and node.name.value == operation.name)
            ):
                fields = root_fields(node.selection_set, fragments)
                return bool(fields) and fields[0].name.value in self.compiled.live
        return False

    async def _responses(
        self,
        executor: Executor[Any],
        source: AsyncIterable[Any],
        operation: Operation,
        *,
        shared: bool,
    ) -> AsyncIterator[Result]:
        """graphql-core's MapSourceToResponseEvent, each result through the error step,
        with two shortcuts for results many subscribers share. A live push arrives as its
        group's finished result (:mod:`mizan.runtime.live`). A :class:`Shared` event (a
        channel's broadcast, the same object for every local subscriber of its group) is
        executed once per document, variables and language, and the finished result
        (encoded once by the transport) goes to each of them: a message's fields are its
        data, the same whoever reads them. With extensions' resolve hooks (``shared``
        false) every subscriber's event runs through its own hooks."""
        key = live.execution_key(executor) if shared else None
        events = executor.cancellable_iterable(source)
        try:
            async for payload in events:
                if isinstance(payload, live.Pushed):
                    yield payload.result
                elif isinstance(payload, Shared):
                    result = payload.memo.get(key) if key is not None else None
                    if result is None:
                        result = self.finish(await _event(executor, payload.value), operation)
                        if key is not None:
                            payload.memo[key] = result
                    yield result
                else:
                    yield self.finish(await _event(executor, payload), operation)
        except Exception as exc:  # the stream itself failed: judged like a field's error
            yield Result(None, [judge(exc)], operation=operation.kind)
        finally:
            aclose: Callable[[], Awaitable[None]] | None = getattr(events, "aclose", None)
            if aclose is not None:
                await aclose()

    def finish_event(self, result: ExecutionResult) -> Result:
        """A live push's result through the error step, once for all its subscribers."""
        return self.finish(result, LIVE_OPERATION)

    # --- the steps ------------------------------------------------------------------

    def begin(
        self,
        query: str | None,
        extensions: dict[str, Any] | None,
        operation_name: object,
        *,
        in_url: bool = False,
        trusted: bool = False,
        hooks: Hooks | None = None,
    ) -> Result | tuple[Document, Operation]:
        """The document and operation to run, or a result refusing it (or :class:`Refusal`)."""
        if not trusted or extensions:
            try:
                query = document_for(
                    query, extensions, self.compiled.operations_by_hash, self.cache
                )
            except Refused as refused:
                return Result(None, [refused.error])
        if not query:
            raise Refusal(400, "No GraphQL query found in the request", "BAD_REQUEST")
        if hooks is None:
            document = self.documents.get(query)
        else:
            hooks.execution.query = query
            document = self.documents.get(query, lambda text: self.prepare_hooked(text, hooks))
            hooks.execution.graphql_document = document.node
        if document.node is None:
            return Result(None, document.errors)
        operation = document.operation(operation_name)
        if in_url and (refusal := refuse_in_url(operation)) is not None:
            raise refusal
        if document.errors:
            return Result(None, document.errors)
        return document, operation

    async def abegin(
        self,
        query: str | None,
        extensions: dict[str, Any] | None,
        operation_name: object,
        *,
        in_url: bool = False,
        trusted: bool = False,
        hooks: Hooks | None = None,
    ) -> Result | tuple[Document, Operation]:
        """:meth:`begin` under an event loop."""
        if extensions:  # an APQ lookup or registration reads or writes the cache: a thread
            return await sync_to_async(self.begin)(
                query, extensions, operation_name, in_url=in_url, trusted=trusted, hooks=hooks
            )
        return self.begin(
            query, extensions, operation_name, in_url=in_url, trusted=trusted, hooks=hooks
        )

    def run_sync(
        self,
        context: MizanContext,
        document: Document,
        operation: Operation,
        variables: dict[str, Any] | None,
        *,
        hooks: Hooks | None = None,
    ) -> Result:
        with collecting() as applied:
            if hooks is None:
                result = self._execute(context, document, operation, variables, sync=True)
                if isawaitable(result):
                    # mizan's resolvers never return one here; another field's async resolver
                    # is awaited through asgiref, as mizan runs an async function under WSGI.
                    result = async_to_sync(_await)(result)
            else:
                with hooks.runner.executing():
                    result = self._execute(
                        context, document, operation, variables, sync=True, hooks=hooks
                    )
                    if isawaitable(result):
                        result = async_to_sync(_await)(result)
                    hooks.execution.result = result
        return self.limited(self.finish(result, operation, applied), context)

    async def run(
        self,
        context: MizanContext,
        document: Document,
        operation: Operation,
        variables: dict[str, Any] | None,
        *,
        hooks: Hooks | None = None,
    ) -> Result:
        with collecting() as applied:
            if hooks is None:
                result = self._execute(context, document, operation, variables)
                if isawaitable(result):
                    result = await _await(result)
            else:
                async with hooks.runner.executing():
                    result = self._execute(context, document, operation, variables, hooks=hooks)
                    if isawaitable(result):
                        result = await _await(result)
                    hooks.execution.result = result
        return self.limited(self.finish(result, operation, applied), context)

    def _execute(
        self,
        context: MizanContext,
        document: Document,
        operation: Operation,
        variables: dict[str, Any] | None,
        *,
        sync: bool = False,
        hooks: Hooks | None = None,
    ) -> ExecutionResult | Awaitable[ExecutionResult]:
        assert document.node is not None
        if (refused := self.refuse_variables(variables)) is not None:
            return refused
        try:
            return execute(
                self.schema,
                document.node,
                context_value=context,
                variable_values=variables,
                operation_name=operation.name,
                middleware=hooks.middleware if hooks is not None else None,
                executor_class=self.executor_class,
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # a TypeGuard in all but name
                # As Strawberry's execute_sync: a QuerySet has __aiter__, and iterating it
                # asynchronously would start an event loop for a sync request.
                is_async_iterable=never if sync else None,
            )
        except Exception as exc:  # graphql-core reports field errors in the result: a bug
            return ExecutionResult(None, [located_error(exc)])  # judged in finish()

    def finish(
        self,
        result: ExecutionResult,
        operation: Operation,
        applied: Sequence[Invalidation] = (),
    ) -> Result:
        """The error step, and the invalidations reported in ``extensions.invalidate``."""
        extensions = result.extensions
        if applied:
            extensions = {**(extensions or {}), "invalidate": [i.as_json() for i in applied]}
        errors = finish(result.errors) if result.errors else None
        return Result(result.data, errors, extensions, operation.kind, tuple(applied))

    @staticmethod
    def limited(result: Result, context: MizanContext) -> Result:
        """Note on ``result`` the wait when every root field was refused by a rate limit."""
        if result.errors:
            result.retry_after = refused(context.fields, result.errors)
        return result


def _with_results(result: Result, hooks: Hooks) -> Result:
    """The extensions' results (``get_results``) in the response's ``extensions``."""
    if added := hooks.results():
        result.extensions = {**(result.extensions or {}), **added}
    return result


def never(_value: Any) -> TypeGuard[AsyncIterable[Any]]:
    return False


async def _await(result: Awaitable[ExecutionResult]) -> ExecutionResult:
    try:
        return await result
    except Exception as exc:
        return ExecutionResult(None, [located_error(exc)])  # judged in finish()


async def _event(executor: Executor[Any], payload: Any) -> ExecutionResult:
    """One event of a subscription, executed with ``payload`` as its root value."""
    result = execute_subscription_event(executor.build_per_event_executor(payload))
    return await result if isawaitable(result) else result


async def _once(result: Result) -> AsyncIterator[Result]:
    yield result


def _resolver(call: Call, field: GraphQLField) -> Resolver:
    """The root field's resolver: the call's, followed by strawberry-django's for a field
    whose result is a strawberry-django type."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if not model_types.is_django_field(definition):
        return call.resolver()
    own = frozenset(argument_name(p.name) for p in call.definition.params)
    assert field.resolve is not None
    return model_types.resolver(call.resolver(), field.resolve, own)


def _in_bundle(resolve: Resolver) -> Resolver:
    """A function's resolver as a field of its live context's bundle: the key params come
    from the subscription field (the bundle), the others from the field's own arguments."""

    def resolver(bundle: Bundle, info: Any, **raw: Any) -> Any:
        return resolve(bundle, info, **raw, **bundle.keys)

    return resolver


def _read_attributes_directly(schema: GraphQLSchema, types: TypeBuilder) -> None:
    """Give every plain field of mizan's object types a resolver that reads the attribute.

    Strawberry resolves a field without a resolver through ``StrawberryField.get_result``
    behind a wrapper: for a cached context read, most of the request's execution time
    (``make bench``). A getattr by the Python name returns the same value.
    """
    roots = {schema.query_type, schema.mutation_type, schema.subscription_type}
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named in roots:
            continue
        if named.name not in types.namespace:
            continue  # Strawberry's and strawberry-django's own types resolve their way
        for field in named.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if getattr(field.resolve, "_is_default", False) and definition is not None:
                field.resolve = _attribute(definition.python_name)


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    return resolve

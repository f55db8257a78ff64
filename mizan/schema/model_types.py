"""strawberry-django types as the results and arguments of mizan functions.

A function annotated ``-> list[NoteType]`` (``NoteType`` a
``@strawberry_django.type(Note)`` class) gets a root field that *is* a
strawberry-django field: the filters, ordering and pagination its type declares
become arguments, connections (``ListConnection[NoteType]``) and
``OffsetPaginated[NoteType]`` work as strawberry-django documents them, and its
optimizer plans the ``select_related``/``prefetch_related`` the selection needs.
The only difference is where the rows come from: the field's value is what the
function returned (a QuerySet, a list, one instance), which mizan's resolver hands
to the field as its source once auth and argument validation have passed.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import QuerySet
from django.db.models.fields.files import FileDescriptor
from django.db.models.query_utils import DeferredAttribute
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from strawberry import relay
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry_django.arguments import argument
from strawberry_django.fields.base import StrawberryDjangoFieldBase
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.fields.field import connection as connection_field
from strawberry_django.fields.field import field as django_field
from strawberry_django.fields.field import offset_paginated as offset_paginated_field
from strawberry_django.optimizer import DjangoOptimizerExtension, optimizer
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.utils.typing import has_django_definition

from mizan.exceptions import RegistrationError

Resolver = Callable[..., Any]

#: The arguments strawberry-django adds to a list field; a function parameter cannot
#: take one of these names.
DJANGO_ARGUMENTS = frozenset(
    {"filters", "order", "ordering", "pagination", "before", "after", "first", "last"}
)


def is_strawberry_type(annotation: Any) -> bool:
    """A ``@strawberry.type``/``@strawberry_django.type`` class (or a generic one, such as
    ``ListConnection[NoteType]``), or a Strawberry input type."""
    return get_object_definition(annotation) is not None


def django_type_of(annotation: Any) -> type | None:
    """The strawberry-django type a return annotation ends in, through ``Optional``, lists,
    connections and ``OffsetPaginated``; None for anything else."""
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is not None and len(args) == 1:  # Annotated, Optional, list, a connection
            annotation = args[0]
        else:
            break
    return annotation if has_django_definition(annotation) else None


def _function_result(root: Any, **_arguments: Any) -> Iterable[Any]:
    # The field's value is the function's result, which mizan's resolver passes as the
    # source. The filter, ordering and pagination arguments are applied to it by
    # strawberry-django's queryset hook, after this returns.
    return root  # type: ignore[no-any-return]


_function_result.is_async_safe = True  # type: ignore[attr-defined]  # never queries


def root_field(
    name: str,
    annotation: StrawberryAnnotation,
    arguments: list[StrawberryArgument],
    *,
    description: str | None,
    directives: Sequence[object],
    where: str,
) -> StrawberryField:
    """The root field of a function whose result is a strawberry-django type."""
    named = annotation.resolve()
    while isinstance(named, StrawberryOptional):
        named = named.of_type
    definition = get_object_definition(named)
    make: Callable[..., StrawberryDjangoField] = django_field
    if definition is not None and issubclass(definition.origin, OffsetPaginated):
        make = offset_paginated_field
    elif definition is not None and _is_connection(definition.origin):
        make = connection_field
    field = make(
        graphql_type=annotation.annotation,
        name=name,
        description=description,
        directives=directives,
        resolver=_function_result,
    )
    many = make is not django_field or isinstance(named, StrawberryList)
    for own in arguments:
        if many and own.python_name in DJANGO_ARGUMENTS:
            raise RegistrationError(
                f"{where}: parameter {own.python_name!r} clashes with the argument "
                "strawberry-django adds for filters, ordering or pagination. Rename it."
            )
    extra: list[StrawberryArgument] = []
    if make is django_field and many:
        # strawberry-django adds these itself only to fields without a resolver (which
        # read every row of the model); this field's rows are the function's.
        extra = list(_list_arguments(field))
    field.arguments = [*arguments, *extra]
    field.python_name = name
    return field


def _is_connection(origin: type) -> bool:
    return issubclass(origin, relay.Connection)


def _list_arguments(field: StrawberryDjangoField) -> Iterator[StrawberryArgument]:
    if (filters := field.get_filters()) is not None:
        yield argument("filters", filters, is_optional=True)
    if (order := field.get_order()) is not None:
        yield argument("order", order, is_optional=True)
    if (ordering := field.get_ordering()) is not None:
        yield argument("ordering", ordering, is_list=True, default=[])
    if (pagination := field.get_pagination()) is not None:
        yield argument("pagination", pagination, is_optional=True)


# --- the resolver ------------------------------------------------------------------------

_default_optimizer = DjangoOptimizerExtension()


@contextmanager
def optimizing() -> Iterator[None]:
    """strawberry-django's optimizer, active for what runs inside: the configured
    ``DjangoOptimizerExtension`` when one runs on this operation, else mizan's own."""
    if optimizer.get() is not None:
        yield
        return
    token = optimizer.set(_default_optimizer)
    try:
        yield
    finally:
        optimizer.reset(token)


def resolver(call: Resolver, field: Resolver, own: frozenset[str]) -> Resolver:
    """``call`` (mizan's resolver: auth, arguments, the function) with the function's
    own arguments, then strawberry-django's ``field`` resolver with the rest, the
    function's result as its source. Failures go to the runtime's error step."""

    def resolve(root: Any, info: GraphQLResolveInfo[Any], **raw: Any) -> Any:
        mine = {name: raw.pop(name) for name in own if name in raw}
        value = call(root, info, **mine)
        if inspect.isawaitable(value):
            return _then(value, info, raw)
        with optimizing():
            rows = field(value, info, **raw)
            return _fetched(rows) if isinstance(rows, QuerySet) else rows

    async def _then(value: Any, info: GraphQLResolveInfo[Any], raw: dict[str, Any]) -> Any:
        result = await value
        with optimizing():
            resolved = field(result, info, **raw)
            while inspect.isawaitable(resolved):
                resolved = await resolved
            if isinstance(resolved, QuerySet):
                return await sync_to_async(_fetched)(resolved)
            return resolved

    return resolve


def _fetched(rows: QuerySet[Any]) -> list[Any]:
    """The rows as a list: graphql-core iterates a QuerySet as an async iterable (it has
    ``__aiter__``), which under sync execution would start an event loop per request."""
    return list(rows)


def is_django_field(field: object) -> bool:
    return isinstance(field, StrawberryDjangoFieldBase)


# --- errors that lead somewhere ----------------------------------------------------------


def unsupported(annotation: Any, where: str, *, is_input: bool) -> str:
    """Why ``annotation`` cannot be an argument or result, and what to write instead."""
    from django.db import models

    role = "an argument" if is_input else "a result"
    name = getattr(annotation, "__name__", repr(annotation))
    if annotation is None or annotation is type(None):
        return (
            f"{where}: None has no GraphQL type. A function that returns nothing can return "
            "a bool or a small pydantic model."
        )
    if isinstance(annotation, type) and issubclass(annotation, models.Model):
        if is_input:
            fix = (
                f"take a `@strawberry_django.input({name})` class (`partial=True` for "
                "updates) or a pydantic model of the fields it needs, and write the row "
                "in the function"
            )
        else:
            fix = (
                f"return a `@strawberry_django.type({name})` class (its fields, relations, "
                "filters and the query optimizer come with it), or a pydantic model, which "
                "mizan validates from the instance's attributes"
            )
        return (
            f"{where}: {name} is a Django model, and a model has no GraphQL type of its own "
            f"to be {role}: {fix}."
        )
    if isinstance(annotation, type) and issubclass(annotation, models.QuerySet | models.Manager):
        return (
            f"{where}: a {name} annotation does not say which GraphQL type its rows have. "
            "Annotate `-> list[NoteType]` with a `@strawberry_django.type(Note)` class and "
            "return the QuerySet: strawberry-django reads it, with its optimizer."
        )
    alternatives = (
        "a pydantic model"
        + (", a `@strawberry_django.input(Model)` class" if is_input else "")
        + (", a `@strawberry_django.type(Model)` class" if not is_input else "")
        + ", a scalar, an Enum, or a list or Optional of these"
    )
    if typing.is_typeddict(annotation):
        kind = f"{name} is a TypedDict, which has no GraphQL type"
    elif isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        kind = f"{name} is a dataclass, which mizan does not turn into a GraphQL type"
    elif isinstance(annotation, type):
        kind = f"{name} is a plain class, which has no GraphQL type"
    else:
        kind = f"{annotation!r} has no GraphQL type"
    return f"{where}: {kind}. Use {alternatives} as {role}."


def strawberry_misuse(annotation: Any, where: str, *, is_input: bool) -> str:
    name = getattr(annotation, "__name__", repr(annotation))
    if is_input:
        return (
            f"{where}: {name} is a GraphQL output type and cannot be an argument. Take an "
            "input type: a `@strawberry_django.input(Model)` class or a pydantic model."
        )
    return (
        f"{where}: {name} is a GraphQL input type and cannot be a result. Return a "
        "`@strawberry_django.type(Model)` class or a pydantic model."
    )


# --- columns read directly -------------------------------------------------------------


def read_columns_directly(schema: GraphQLSchema) -> None:
    """Give each plain column field of the strawberry-django types a resolver that returns
    the value the row holds.

    Strawberry's field path (an ``Info``, argument conversion, the extension chain, then
    strawberry-django's ``get_result``) costs a few µs a field: for a list of rows, most
    of the request (``make bench``, model results). For a column the row has loaded,
    strawberry-django returns the attribute as it is, and so does this resolver; anything
    else (a deferred column, a relation, a file, a property, a resolver, permission
    classes, field extensions) takes strawberry-django's own path, unchanged.
    """
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType):
            continue
        for field in named.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if (column := _column(definition)) is not None and field.resolve is not None:
                field.resolve = _loaded(column, field.resolve)


def _column(field: object) -> str | None:
    """The attname of the model column ``field`` reads plainly, or None."""
    if not isinstance(field, StrawberryDjangoFieldBase) or field.base_resolver is not None:
        return None
    if field.extensions or field.permission_classes or field.origin_django_type is None:
        return None
    model = field.origin_django_type.model
    attribute = getattr(model, field.django_name or field.python_name, None)
    if not isinstance(attribute, DeferredAttribute) or isinstance(attribute, FileDescriptor):
        return None
    return str(attribute.field.attname)


def _loaded(column: str, fallback: Resolver) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        try:
            return source.__dict__[column]
        except (KeyError, AttributeError):  # not loaded (deferred), or not a row
            return fallback(source, info, **arguments)

    return resolve

"""Python annotations → Strawberry types, and GraphQL input values → Python data.

mizan builds its Strawberry types straight from pydantic's field metadata
instead of using ``strawberry.experimental.pydantic``: that conversion is the
bulk of schema build time, and it cannot use one model as both an input and
an output type. User classes are never modified (enums excepted: Strawberry
reads its definition off the enum class itself).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import inspect
import types
import typing
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, ForwardRef

import pydantic
import strawberry
from django.core.files.uploadedfile import UploadedFile
from strawberry.annotation import StrawberryAnnotation
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField

from mizan.exceptions import RegistrationError
from mizan.naming import argument_name, input_type_name, type_name
from mizan.schema.model_types import is_strawberry_type, strawberry_misuse, unsupported

SCALARS: frozenset[Any] = frozenset(
    {
        str,
        int,
        float,
        bool,
        datetime.date,
        datetime.datetime,
        datetime.time,
        decimal.Decimal,
        uuid.UUID,
        strawberry.ID,
    }
)
RESERVED_NAMES = frozenset(
    {
        "Query",
        "Mutation",
        "Subscription",
        "String",
        "Int",
        "Float",
        "Boolean",
        "ID",
        "Date",
        "DateTime",
        "Time",
        "Decimal",
        "UUID",
        "JSON",
        "Upload",
        "AuthLevel",
    }
)

Decoder = Callable[[Any], Any]


def _describe(owner: object) -> str:
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}"
    return str(owner)


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _optional_of(annotation: Any) -> Any | None:
    """``X | None`` → ``X``; anything else → None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == len(typing.get_args(annotation)) - 1:
            return args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
    return None


def _list_of(annotation: Any) -> Any | None:
    origin = typing.get_origin(annotation)
    if origin in (list, set, frozenset, tuple) or (
        origin is not None
        and origin.__module__ == "collections.abc"
        and origin.__name__ in ("Sequence", "Iterable", "Set")
    ):
        args = typing.get_args(annotation)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return None
        return args[0] if args else Any
    return None


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


class TypeBuilder:
    """Builds each Strawberry type once, and refuses two Python types under one GraphQL name."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self._owners: dict[str, object] = dict.fromkeys(RESERVED_NAMES, "mizan's built-in types")
        self._built: dict[tuple[type, bool], str] = {}
        self._building: set[tuple[type, bool]] = set()
        self._decoders: dict[type, list[tuple[str, str, Decoder | None, bool]]] = {}
        self._names: dict[type, str] = {}
        #: The Strawberry schema, once built: it converts Strawberry input types' values.
        self.schema: strawberry.Schema | None = None
        #: The names of the Strawberry types used as they are (strawberry-django types).
        self.strawberry_types: set[str] = set()

    def name(self, cls: type, name: str) -> None:
        """Give ``cls`` a GraphQL name other than :func:`type_name`'s (a channel's message)."""
        self._names[cls] = name

    def annotation(self, annotation: Any) -> StrawberryAnnotation:
        return StrawberryAnnotation(annotation, namespace=self.namespace)

    def create_type(
        self,
        name: str,
        fields: list[StrawberryField],
        *,
        is_input: bool = False,
        description: str | None = None,
    ) -> type:
        """A Strawberry type: the definition Strawberry's schema converter reads, on a bare class.

        Not ``strawberry.tools.create_type``: ``strawberry.type`` makes each class a
        dataclass (generating and ``exec``-ing ``__init__``, ``__repr__``, ``__eq__``)
        and re-reads every annotation: over half of compile time for a large schema.
        mizan never instantiates these classes: outputs are the user's own objects,
        inputs reach the resolver as dicts. Each field keeps its annotation and
        namespace, which resolves references to types still being built (recursive
        models) once the converter asks.
        """
        cls = type(name, (), {"__module__": __name__, "__doc__": description})
        for field in fields:
            field.origin = field.origin or cls
        cls.__strawberry_definition__ = StrawberryObjectDefinition(  # type: ignore[attr-defined]
            name=name,
            is_input=is_input,
            is_interface=False,
            origin=cls,
            description=description,
            interfaces=[],
            extend=False,
            directives=(),
            is_type_of=None,
            resolve_type=None,
            fields=list(fields),
        )
        return cls

    def output(self, annotation: Any, where: str) -> Any:
        return self._convert(annotation, where, is_input=False)

    def input(self, annotation: Any, where: str) -> Any:
        return self._convert(annotation, where, is_input=True)

    def _convert(self, annotation: Any, where: str, *, is_input: bool) -> Any:
        annotation = _strip(annotation)
        if annotation in SCALARS:
            return annotation
        if annotation is Any or annotation is dict or typing.get_origin(annotation) is dict:
            return JSON
        if isinstance(annotation, type) and issubclass(annotation, UploadedFile):
            if not is_input:
                raise RegistrationError(f"{where}: an uploaded file can be received, not returned.")
            return Upload
        if (inner := _optional_of(annotation)) is not None:
            return typing.Optional[self._convert(inner, where, is_input=is_input)]  # noqa: UP045
        if (item := _list_of(annotation)) is not None:
            return list[self._convert(item, where, is_input=is_input)]  # type: ignore[misc]
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self._enum(annotation)
        if is_model(annotation):
            return self._model(annotation, is_input)
        if is_strawberry_type(annotation):
            return self._strawberry(annotation, where, is_input=is_input)
        raise RegistrationError(unsupported(annotation, where, is_input=is_input))

    def _strawberry(self, annotation: Any, where: str, *, is_input: bool) -> Any:
        """A Strawberry or strawberry-django type, used as it is."""
        definition = get_object_definition(annotation)
        assert definition is not None
        if definition.is_input != is_input:
            raise RegistrationError(strawberry_misuse(annotation, where, is_input=is_input))
        if isinstance(annotation, type) and not definition.is_graphql_generic:
            self._claim(definition.name, annotation)
            self.strawberry_types.add(definition.name)
        return annotation

    def reserve(self, name: str, owner: str) -> None:
        """Claim ``name`` for a type mizan makes itself (a live context's bundle)."""
        self._claim(name, owner)

    def _claim(self, name: str, owner: object) -> None:
        current = self._owners.setdefault(name, owner)
        if current is not owner:
            raise RegistrationError(
                f"Two Python types would both be the GraphQL type {name!r}: "
                f"{_describe(current)} and {_describe(owner)}. Rename one of them."
            )

    def _enum(self, cls: type[enum.Enum]) -> Any:
        name = type_name(cls)
        if (cls, False) not in self._built:
            self._claim(name, cls)
            strawberry.enum(cls, name=name, description=_doc(cls))
            self._built[cls, False] = name
        return cls

    def _model(self, model: type[pydantic.BaseModel], is_input: bool) -> Any:
        key = (model, is_input)
        if key in self._built:
            name = self._built[key]
            return self.namespace[name] if key not in self._building else ForwardRef(name)
        name = self._names.get(model) or type_name(model)
        if is_input:
            name = input_type_name(name)
        self._claim(name, model if not is_input else f"{_describe(model)} (as an input)")
        self._built[key] = name
        self._building.add(key)
        fields = [
            self._field(model, fname, info, is_input) for fname, info in model.model_fields.items()
        ]
        if not is_input:
            fields += [
                self._computed(model, fname, info)
                for fname, info in model.model_computed_fields.items()
            ]
        if not fields:
            raise RegistrationError(f"{_describe(model)} has no fields; GraphQL types need one.")
        created = self.create_type(name, fields, is_input=is_input, description=_doc(model))
        self.namespace[name] = created
        self._building.discard(key)
        return created

    def _field(self, model: type, fname: str, info: Any, is_input: bool) -> StrawberryField:
        where = f"{_describe(model)}.{fname}"
        annotation = (self.input if is_input else self.output)(info.annotation, where)
        default: Any = dataclasses.MISSING
        if is_input and not info.is_required():
            if info.default_factory is None and _literal(info.default):
                default = info.default
            else:  # a factory's value cannot be shown in SDL: omit it and let pydantic fill it
                annotation, default = typing.Optional[annotation], None  # noqa: UP045
        mutable = isinstance(default, list)
        return StrawberryField(
            python_name=fname,
            type_annotation=self.annotation(annotation),
            description=info.description,
            default=dataclasses.MISSING if mutable else default,
            default_factory=(lambda: list(default)) if mutable else dataclasses.MISSING,
        )

    def _computed(self, model: type, fname: str, info: Any) -> StrawberryField:
        annotation = self.output(info.return_type, f"{_describe(model)}.{fname}")
        return StrawberryField(
            python_name=fname,
            type_annotation=self.annotation(annotation),
            description=info.description,
        )

    # --- decoding GraphQL input values into data pydantic validates -------------------

    def decoder(self, annotation: Any) -> Decoder | None:
        """A function turning a coerced, non-null GraphQL value into Python-named data,
        or None where the value needs no change. Callers pass nulls through themselves."""
        annotation = _strip(annotation)
        if (inner := _optional_of(annotation)) is not None:
            return self.decoder(inner)
        if (item := _list_of(annotation)) is not None:
            if (decode := self.decoder(item)) is None:
                return None
            return lambda v: [None if i is None else decode(i) for i in v]
        if is_model(annotation):
            return self._model_decoder(annotation)
        if is_strawberry_type(annotation):
            return partial(self._strawberry_input, annotation)
        return None

    def _strawberry_input(self, annotation: Any, value: Any) -> Any:
        """A Strawberry input type's value (a ``@strawberry_django.input`` class): the
        instance Strawberry would pass, fields a partial input omits left ``UNSET``."""
        schema = self.schema
        assert schema is not None, "decoding before the schema is built"
        return convert_argument(
            value, annotation, schema.schema_converter.scalar_registry, schema.config
        )

    def _model_decoder(self, model: type[pydantic.BaseModel]) -> Decoder:
        if model not in self._decoders:
            spec: list[tuple[str, str, Decoder | None, bool]] = []
            self._decoders[model] = spec  # filled below; recursion sees the same list
            for fname, info in model.model_fields.items():
                filled_by_pydantic = not info.is_required() and (
                    info.default_factory is not None or not _literal(info.default)
                )
                spec.append(
                    (argument_name(fname), fname, self.decoder(info.annotation), filled_by_pydantic)
                )
        spec = self._decoders[model]

        def decode(value: dict[str, Any]) -> dict[str, Any]:
            data = {}
            for gql, py, inner, drop_none in spec:
                if gql in value:
                    item = value[gql]
                    if item is None and drop_none:
                        continue
                    data[py] = inner(item) if inner and item is not None else item
            return data

        return decode


def validated(annotation: Any) -> Any:
    """The annotation pydantic validates an argument with: a Strawberry input type (already
    built by Strawberry from the GraphQL value) is checked with isinstance only, not
    re-validated as the dataclass it also is."""
    stripped = _strip(annotation)
    if (inner := _optional_of(stripped)) is not None:
        return typing.Optional[validated(inner)]  # noqa: UP045
    if (item := _list_of(stripped)) is not None:
        return list[validated(item)]  # type: ignore[misc]
    if is_strawberry_type(stripped):
        return typing.Annotated[Any, pydantic.PlainValidator(partial(_instance_of, stripped))]
    return annotation


def _instance_of(cls: type, value: Any) -> Any:
    if not isinstance(value, cls):
        raise ValueError(f"expected a {cls.__name__}, got {type(value).__name__}")
    return value


class Coercer:
    """Turns what a function returned into its declared pydantic result: model instances
    and dicts are validated (``from_attributes``: a Django row, ``request.user.profile``,
    reads as the model), values already of the declared type pass as they are."""

    def __init__(self, returns: Any) -> None:
        self.returns = returns
        self.model = returns if is_model(returns) else None
        self._adapter: pydantic.TypeAdapter[Any] | None = None

    def done(self, value: Any) -> bool:
        """Whether ``value`` is already of the declared type (a cheap check, no validation)."""
        if value is None:
            return True
        if self.model is not None:
            return isinstance(value, self.model)
        item = _list_of(_optional_of(self.returns) or self.returns)
        if item is not None and is_model(item) and isinstance(value, list):
            return all(isinstance(v, item) for v in value)
        return False

    def __call__(self, value: Any) -> Any:
        if self.done(value):
            return value
        if self.model is not None:
            return self.model.model_validate(value, from_attributes=True)
        if self._adapter is None:
            self._adapter = pydantic.TypeAdapter(self.returns)
        return self._adapter.validate_python(value, from_attributes=True)


def result_coercer(returns: Any) -> Coercer | None:
    """A :class:`Coercer` for a result declared as pydantic models (alone, in a list or
    Optional); None for anything else, which is returned as it is."""
    annotation = _strip(returns)
    inner = _optional_of(annotation) or annotation
    inner = _list_of(inner) or inner
    return Coercer(annotation) if is_model(_strip(inner)) else None


def _doc(cls: type) -> str | None:
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def _literal(value: Any) -> bool:
    """Whether a default can be shown in SDL as it is."""
    if value is None or isinstance(value, str | int | float | bool | enum.Enum):
        return True
    if isinstance(value, list | tuple):
        return all(_literal(v) for v in value)
    return False

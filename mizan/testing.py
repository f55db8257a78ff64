"""Call registered functions through the real schema in your tests.

    from mizan.testing import MizanTestClient

    result = MizanTestClient(user=alice).call("echo", text="hi")
    assert result.data == Output(message="hi")          # typed, as the function returns it
    result = await MizanTestClient().acall("echo", text="hi")

Everything a real request goes through runs, in the same runtime: auth,
argument validation, the context cache, transactions and the error step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pydantic
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import RequestFactory
from strawberry import UNSET
from strawberry.types.base import get_object_definition

from mizan.definitions import FunctionDef, Kind
from mizan.naming import argument_name
from mizan.runtime import MizanContext, get_runtime
from mizan.runtime import Result as RuntimeResult
from mizan.schema.selections import document
from mizan.schema.types import _list_of, _optional_of, _strip, is_model


@dataclass
class Result:
    """What a call returned: ``data`` typed as the function returns it, ``errors`` as a
    client reads them, and ``invalidations`` as a client reads them in the response's
    ``extensions.invalidate`` (``{"context": ..., "params": {...}}`` each)."""

    data: Any
    errors: list[dict[str, Any]] = field(default_factory=list)
    invalidations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]


class MizanTestClient:
    def __init__(self, user: Any = None, request: HttpRequest | None = None) -> None:
        self.user = user
        self.request = request

    def call(self, name: str, /, **kwargs: Any) -> Result:
        definition, document, variables, request = self._prepare(name, kwargs)
        result = get_runtime().execute_sync(
            MizanContext(request=request), document, variables, trusted=True
        )
        return _result(definition, result)

    async def acall(self, name: str, /, **kwargs: Any) -> Result:
        definition, document, variables, request = self._prepare(name, kwargs)
        result = await get_runtime().execute(
            MizanContext(request=request, is_async=True), document, variables, trusted=True
        )
        return _result(definition, result)

    def _prepare(
        self, name: str, kwargs: dict[str, Any]
    ) -> tuple[FunctionDef, str, dict[str, Any], HttpRequest]:
        compiled = get_runtime().compiled
        definition = next((d for d in compiled.functions.values() if d.name == name), None)
        if definition is None:
            known = ", ".join(sorted(d.name for d in compiled.functions.values()))
            raise LookupError(f"No mizan function {name!r}; registered: {known}.")
        if definition.kind is Kind.SUBSCRIPTION:
            raise TypeError(
                f"{name} is a channel's subscription: test it over a WebSocket with "
                "channels.testing.WebsocketCommunicator (see docs/guides/channels.md)."
            )
        params = {p.name: p for p in definition.params}
        unknown = set(kwargs) - set(params)
        if unknown:
            raise TypeError(
                f"{name}() got unexpected arguments {sorted(unknown)}; it takes {sorted(params)}."
            )
        query = document(
            definition.kind.value,
            definition.operation_name,
            [(definition, compiled.field(definition))],
        )
        variables = {k: to_json(params[k].annotation, v) for k, v in kwargs.items()}
        return definition, query, variables, self._request()

    def _request(self) -> HttpRequest:
        if self.request is not None:
            return self.request
        request = RequestFactory().post("/api/mizan/graphql/")
        request.user = self.user if self.user is not None else AnonymousUser()
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        return request


def _result(definition: FunctionDef, result: RuntimeResult) -> Result:
    formatted: list[dict[str, Any]] = [dict(e.formatted) for e in result.errors or []]
    invalidations = [i.as_json() for i in result.invalidations]
    value = (result.data or {}).get(definition.field_name)
    if value is None or _has_strawberry_type(definition.returns):
        # A Strawberry type's objects are the ORM rows it read: the data is the JSON.
        return Result(data=value, errors=formatted, invalidations=invalidations)
    typed = pydantic.TypeAdapter(definition.returns).validate_python(
        from_json(definition.returns, value)
    )
    return Result(data=typed, errors=formatted, invalidations=invalidations)


def to_json(annotation: Any, value: Any) -> Any:
    """A Python value → the JSON a GraphQL client would send for it."""
    annotation = _strip(annotation)
    if value is None:
        return None
    if (inner := _optional_of(annotation)) is not None:
        return to_json(inner, value)
    if (item := _list_of(annotation)) is not None:
        return [to_json(item, v) for v in value]
    if is_model(annotation):
        model = value if isinstance(value, annotation) else annotation.model_validate(value)
        return {
            argument_name(name): to_json(info.annotation, getattr(model, name))
            for name, info in annotation.model_fields.items()
        }
    if isinstance(value, enum.Enum):
        return value.name
    if (definition := get_object_definition(type(value))) is not None:
        return {  # a Strawberry input (``@strawberry_django.input``): its fields that are set
            field.graphql_name or argument_name(field.python_name): to_json(Any, item)
            for field in definition.fields
            if (item := getattr(value, field.python_name)) is not UNSET
        }
    return pydantic.TypeAdapter(type(value)).dump_python(value, mode="json")


def _has_strawberry_type(annotation: Any) -> bool:
    annotation = _strip(annotation)
    if (inner := _optional_of(annotation)) is not None:
        return _has_strawberry_type(inner)
    if (item := _list_of(annotation)) is not None:
        return _has_strawberry_type(item)
    return get_object_definition(annotation) is not None


def from_json(annotation: Any, value: Any) -> Any:
    """GraphQL response JSON → data pydantic validates into ``annotation``."""
    annotation = _strip(annotation)
    if value is None:
        return None
    if (inner := _optional_of(annotation)) is not None:
        return from_json(inner, value)
    if (item := _list_of(annotation)) is not None:
        return [from_json(item, v) for v in value]
    if is_model(annotation):
        return {
            name: from_json(info.annotation, value[argument_name(name)])
            for name, info in annotation.model_fields.items()
            if argument_name(name) in value
        }
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation[value]
    return value


__all__ = ["MizanTestClient", "Result"]

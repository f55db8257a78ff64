"""Django form fields → GraphQL input types, and GraphQL values → the data a form reads.

Every input field is nullable: a missing value is the form's to report, as a
field error, not GraphQL's.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import strawberry
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.fields import JSONString

from mizan.definitions import Source
from mizan.exceptions import RegistrationError
from mizan.naming import argument_name, choice_type_name

# GraphQL enum values are names, and true / false / null are not allowed as enum values.
_ENUM_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NOT_ENUM_VALUES = frozenset({"true", "false", "null"})
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Most specific first: DecimalField and FloatField are IntegerFields, UUIDField is a CharField,
# ModelChoiceField is a ChoiceField, NullBooleanField is a BooleanField.
_SCALARS: tuple[tuple[type[forms.Field], Any, str], ...] = (
    (forms.DecimalField, decimal.Decimal, "Decimal"),
    (forms.FloatField, float, "Float"),
    (forms.IntegerField, int, "Int"),
    (forms.NullBooleanField, bool, "Boolean"),
    (forms.BooleanField, bool, "Boolean"),
    (forms.DateTimeField, datetime.datetime, "DateTime"),
    (forms.DateField, datetime.date, "Date"),
    (forms.TimeField, datetime.time, "Time"),
    (forms.UUIDField, uuid.UUID, "UUID"),
    (forms.JSONField, Any, "JSON"),
    (forms.DurationField, str, "String"),  # Django parses "1 day, 2:00:00" and ISO 8601
    (forms.CharField, str, "String"),
)


class ValueKind(enum.Enum):
    """How a field's GraphQL value becomes form data."""

    VALUE = "value"
    FILE = "file"
    ENUM = "enum"
    JSON = "json"


@dataclass(frozen=True)
class FieldSpec:
    """One form field as GraphQL sees it, worked out once when the form is registered."""

    name: str  # the form's name for it
    graphql_name: str
    annotation: Any  # the Python type of its (nullable) input value
    graphql_type: str  # the named type as SDL prints it: "String", "[ContactTopicChoice!]"
    kind: ValueKind
    many: bool = False
    enum: type[enum.Enum] | None = None
    description: str | None = None  # the help text, as the input field's description

    def form_value(self, value: Any) -> Any:
        """A validated GraphQL input value → what the field's widget reads from ``data``."""
        if self.kind is ValueKind.ENUM:
            return [v.value for v in value] if self.many else value.value
        if self.kind is ValueKind.JSON and isinstance(value, str):
            return JSONString(value)  # a JSON string value, not JSON text to parse
        return value


def field_specs(form: forms.BaseForm, prefix: str, source: Source) -> list[FieldSpec]:
    """The specs of a form's fields, in the form's order: read from an unbound instance,
    so fields that ``__init__`` adds or removes (as django-allauth's forms do, by
    settings) are served as the form really has them."""
    specs = [field_spec(name, field, prefix, source) for name, field in form.fields.items()]
    seen: dict[str, str] = {}
    for spec in specs:
        other = seen.setdefault(spec.graphql_name, spec.name)
        if other != spec.name:
            raise RegistrationError(
                f"{source}: fields {other!r} and {spec.name!r} would both be the GraphQL input "
                f"field {spec.graphql_name!r}. Rename one of them."
            )
    return specs


def field_spec(name: str, field: forms.Field, prefix: str, source: Source) -> FieldSpec:
    spec = _field_spec(name, field, prefix, source)
    help_text = str(field.help_text or "") or None
    return dataclasses.replace(spec, description=help_text) if help_text else spec


def _field_spec(name: str, field: forms.Field, prefix: str, source: Source) -> FieldSpec:
    where = f"{source}: field {name!r} ({type(field).__name__})"
    if not _FIELD_NAME.match(name):
        raise RegistrationError(
            f"{where}: its name cannot be a GraphQL field name. Use letters, digits and "
            "underscores, starting with a letter."
        )
    if isinstance(field.widget, forms.MultiWidget):
        raise RegistrationError(
            f"{where}: its widget {type(field.widget).__name__} reads several inputs "
            "(name_0, name_1, ...), which have no GraphQL form. Give the field a single-input "
            "widget, or split it into several fields."
        )
    graphql_name = argument_name(name)
    if isinstance(field, forms.FileField):
        return FieldSpec(name, graphql_name, UploadedFile, "Upload", ValueKind.FILE)
    if isinstance(field, forms.ModelChoiceField):
        many = isinstance(field, forms.ModelMultipleChoiceField)
        return _maybe_list(
            FieldSpec(name, graphql_name, strawberry.ID, "ID", ValueKind.VALUE), many
        )
    if isinstance(field, forms.ChoiceField):
        many = isinstance(field, forms.MultipleChoiceField)
        choices = _enum(name, field, prefix, source.module)
        if choices is None:
            return _maybe_list(FieldSpec(name, graphql_name, str, "String", ValueKind.VALUE), many)
        return _maybe_list(
            FieldSpec(name, graphql_name, choices, choices.__name__, ValueKind.ENUM, enum=choices),
            many,
        )
    for field_class, annotation, graphql_type in _SCALARS:
        if isinstance(field, field_class):
            kind = ValueKind.JSON if field_class is forms.JSONField else ValueKind.VALUE
            return FieldSpec(name, graphql_name, annotation, graphql_type, kind)
    raise RegistrationError(
        f"{where}: mizan does not know which GraphQL type it takes. Use (or subclass) one of "
        "CharField, IntegerField, FloatField, DecimalField, BooleanField, DateField, "
        "DateTimeField, TimeField, UUIDField, JSONField, DurationField, ChoiceField, "
        "MultipleChoiceField, ModelChoiceField, ModelMultipleChoiceField or FileField."
    )


def _maybe_list(spec: FieldSpec, many: bool) -> FieldSpec:
    if not many:
        return spec
    return dataclasses.replace(
        spec,
        annotation=list[spec.annotation],  # type: ignore[name-defined]
        graphql_type=f"[{spec.graphql_type}!]",
        many=True,
    )


def flat_choices(field: forms.Field) -> Iterator[tuple[Any, str, str | None]]:
    """``(value, label, group)`` for every option, optgroups flattened."""
    for value, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):
            for inner_value, inner_label in label:
                yield inner_value, str(inner_label), str(value)
        else:
            yield value, str(label), None


def _enum(name: str, field: forms.ChoiceField, prefix: str, module: str) -> type[enum.Enum] | None:
    """An enum of the field's choices, when every value is a valid GraphQL enum value.

    The blank choice is left out: its value is null.
    """
    values = [value for value, _, _ in flat_choices(field) if value not in ("", None)]
    if (
        not values
        or len(set(values)) != len(values)
        or not all(
            isinstance(v, str) and _ENUM_VALUE.match(v) and v not in _NOT_ENUM_VALUES
            for v in values
        )
    ):
        return None
    enum_name = choice_type_name(prefix, name)
    try:
        choices = enum.Enum(enum_name, [(v, v) for v in values], module=module)  # type: ignore[misc]
    except ValueError:  # a name Python's Enum reserves, e.g. "mro"
        return None
    choices.__doc__ = f"The choices of {prefix}Input.{argument_name(name)}."
    return choices

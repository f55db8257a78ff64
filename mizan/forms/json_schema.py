"""A JSON Schema (2020-12) of a form's input, so a client can check data with Zod or AJV
before sending it, without mizan-specific code.

It says what JSON Schema can: types, required fields, lengths, numeric bounds,
decimal digits, regexes, choices. The server's verdict is the form's own
(uniqueness, ``clean()``); the schema never accepts less than the form does
for the rules it expresses.
"""

from __future__ import annotations

import decimal
from typing import Any

from django import forms

from mizan.forms.describe import Constraints, bound, combine, constraints, initial, is_required
from mizan.forms.fields import FieldSpec, ValueKind, flat_choices

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_FORMATS = {"Date": "date", "DateTime": "date-time", "Time": "time", "UUID": "uuid"}


def json_schema(
    form: forms.BaseForm, specs: list[FieldSpec], title: str, description: str | None
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in specs:
        form_field = form.fields[spec.name]
        properties[spec.graphql_name] = _property(form, form_field, spec)
        if is_required(form_field):
            required.append(spec.graphql_name)
    schema: dict[str, Any] = {"$schema": DRAFT, "title": title}
    if description:
        schema["description"] = description
    schema.update(type="object", properties=properties, additionalProperties=False)
    if required:
        schema["required"] = required
    return schema


def _property(form: forms.BaseForm, form_field: forms.Field, spec: FieldSpec) -> dict[str, Any]:
    required = is_required(form_field)
    value = _value_schema(form_field, spec, constraints(form_field), required)
    if not required:
        value = _nullable(value)
    annotations: dict[str, Any] = {"title": str(form[spec.name].label)}
    if form_field.help_text:
        annotations["description"] = str(form_field.help_text)
    if (start := initial(form, spec)) is not None:
        annotations["default"] = start
    if form_field.disabled:
        annotations["readOnly"] = True
    return {**annotations, **value}


def _value_schema(
    form_field: forms.Field, spec: FieldSpec, limits: Constraints, required: bool
) -> dict[str, Any]:
    if spec.kind is ValueKind.FILE:
        return {"description": "A file, sent as a multipart upload."}
    if isinstance(form_field, forms.ChoiceField):
        item = _choice_schema(form_field, spec, required)
        if not spec.many:
            return item
        return {"type": "array", "items": item, **({"minItems": 1} if required else {})}
    scalar = spec.graphql_type
    if scalar == "String":
        return _string_schema(form_field, limits, required)
    if scalar in ("Int", "Float"):
        schema: dict[str, Any] = {"type": "integer" if scalar == "Int" else "number"}
        if _number(limits.min_value):
            schema["minimum"] = bound(limits.min_value)
        if _number(limits.max_value):
            schema["maximum"] = bound(limits.max_value)
        if scalar == "Int" and isinstance(limits.step, int):
            schema["multipleOf"] = limits.step
        return schema
    if scalar == "Decimal":
        return {
            "type": "string",
            "pattern": decimal_pattern(limits.max_digits, limits.decimal_places),
        }
    if scalar == "Boolean":
        # A required checkbox must be ticked: Django refuses False as empty.
        return {"const": True} if required else {"type": "boolean"}
    if scalar in _FORMATS:
        return {"type": "string", "format": _FORMATS[scalar]}
    return {}  # JSON: any value


def _choice_schema(form_field: forms.Field, spec: FieldSpec, required: bool) -> dict[str, Any]:
    if spec.enum is not None:
        return {"enum": [member.value for member in spec.enum]}
    if isinstance(form_field, forms.ModelChoiceField):
        return {"type": "string"}  # a primary key; the rows may change at any time
    values = [str(v) for v, _, _ in flat_choices(form_field) if v not in ("", None)]
    if not required and not spec.many:
        values.append("")  # the blank choice
    return {"type": "string", "enum": values}


def _string_schema(form_field: forms.Field, limits: Constraints, required: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if isinstance(form_field, forms.EmailField):
        schema["format"] = "email"
    if limits.min_length is not None:
        schema["minLength"] = limits.min_length
    if limits.max_length is not None:
        schema["maxLength"] = limits.max_length
    patterns = list(limits.patterns)
    if required and getattr(form_field, "strip", False):
        patterns.append(r"\S")  # Django strips whitespace, then finds the value empty
    if (pattern := combine(patterns)) is not None:
        schema["pattern"] = pattern
    return schema


def decimal_pattern(max_digits: int | None, decimal_places: int | None) -> str:
    """A regex for the decimals Django's DecimalValidator accepts.

    Leading zeros do not count as digits, trailing ones do; a plain ``0`` counts
    as one whole digit.
    """
    fraction = r"\d*" if decimal_places is None else rf"\d{{0,{decimal_places}}}"
    if max_digits is None or decimal_places is None:
        return rf"^[+-]?(?=\.?\d)\d*(?:\.{fraction})?$"
    whole = max_digits - decimal_places
    if whole <= 0:
        return rf"^[+-]?0*\.\d{{1,{decimal_places}}}$"
    return rf"^[+-]?(?=\.?\d)0*(?:[1-9]\d{{0,{whole - 1}}})?(?:\.{fraction})?$"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    schema = dict(schema)
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    if "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def _number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)

"""A form's JSON Schema → a Zod 4 schema, as TypeScript source.

The JSON Schema (:mod:`mizan.forms.json_schema`) says what the form's rules are;
this spells them in Zod, with Django's own messages, so a browser shows the same
words before submitting as the server would after. The server stays the judge:
``clean()`` and uniqueness are only known there.
"""

from __future__ import annotations

from typing import Any

from mizan.typescript.text import literal, quote

REQUIRED = "This field is required."
MESSAGES = {
    "minLength": "Ensure this value has at least {} characters.",
    "maxLength": "Ensure this value has at most {} characters.",
    "minimum": "Ensure this value is greater than or equal to {}.",
    "maximum": "Ensure this value is less than or equal to {}.",
    "multipleOf": "Ensure this value is a multiple of step size {}.",
    "minItems": REQUIRED,
}
FORMATS = {
    "email": ("z.email", "Enter a valid email address."),
    "uri": ("z.url", "Enter a valid URL."),
    "uuid": ("z.uuid", "Enter a valid UUID."),
    "date": ("z.iso.date", "Enter a valid date."),
    "date-time": ("z.iso.datetime", "Enter a valid date/time."),
    "time": ("z.iso.time", "Enter a valid time."),
}
TYPES = {
    "string": ("z.string", "Enter a valid value."),
    "integer": ("z.int", "Enter a whole number."),
    "number": ("z.number", "Enter a number."),
    "boolean": ("z.boolean", "Enter true or false."),
}


def zod_object(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", ()))
    lines = [
        f"  {quote(name)}: {zod_value(prop, name in required)},"
        for name, prop in schema.get("properties", {}).items()
    ]
    return "z.object({\n" + "\n".join(lines) + "\n})"


def _error(message: str) -> str:
    # Zod's "expected string, received null" means an empty field to a person.
    return (
        f'{{ error: (issue) => (issue.input == null || issue.input === "" ? {quote(REQUIRED)} '
        f": {quote(message)}) }}"
    )


def zod_value(prop: dict[str, Any], required: bool) -> str:
    kind = prop.get("type")
    nullable = isinstance(kind, list) and "null" in kind
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if "const" in prop:
        code = f"z.literal({literal(prop['const'])}, {{ error: {quote(REQUIRED)} }})"
    elif "enum" in prop:
        values = [v for v in prop["enum"] if v is not None]
        nullable = nullable or None in prop["enum"]
        code = f"z.literal({literal(values)}, {_error('Select a valid choice.')})"
    elif kind == "array":
        code = f"z.array({zod_value(prop.get('items', {}), True)}, {_error(REQUIRED)})"
        if "minItems" in prop:
            code += f".min({prop['minItems']}, {quote(REQUIRED)})"
    elif kind in TYPES:
        factory, message = FORMATS.get(prop.get("format", ""), TYPES[kind])
        code = f"{factory}({_error(message)})"
        if kind == "string" and required:
            code += f".min(1, {quote(REQUIRED)})"
        for key, method in (
            ("minLength", "min"),
            ("maxLength", "max"),
            ("minimum", "min"),
            ("maximum", "max"),
            ("multipleOf", "multipleOf"),
        ):
            if key in prop:
                code += f".{method}({prop[key]}, {quote(MESSAGES[key].format(prop[key]))})"
        if "pattern" in prop:
            code += f".regex(new RegExp({quote(prop['pattern'])}), {quote('Enter a valid value.')})"
    elif required:  # a file, or any JSON value
        code = f"z.custom((value) => value != null, {quote(REQUIRED)})"
    else:
        code = "z.unknown()"
    return code + (".nullish()" if nullable or not required else "")

"""A form's JSON Schema → Zod source: each rule JSON Schema can say, with Django's words."""

from __future__ import annotations

import pytest

from mizan.typescript.zod import zod_object, zod_value

ERROR = '{ error: (issue) => (issue.input == null || issue.input === "" ? "This field is required." : "%s") }'


@pytest.mark.parametrize(
    ("prop", "required", "code"),
    [
        (
            {"type": "string", "maxLength": 80},
            True,
            f'z.string({ERROR % "Enter a valid value."}).min(1, "This field is required.")'
            '.max(80, "Ensure this value has at most 80 characters.")',
        ),
        (
            {"type": ["string", "null"], "format": "email"},
            False,
            f"z.email({ERROR % 'Enter a valid email address.'}).nullish()",
        ),
        (
            {"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 2},
            True,
            f"z.int({ERROR % 'Enter a whole number.'})"
            '.min(1, "Ensure this value is greater than or equal to 1.")'
            '.max(9, "Ensure this value is less than or equal to 9.")'
            '.multipleOf(2, "Ensure this value is a multiple of step size 2.")',
        ),
        (
            {"enum": ["a", "b", "", None]},
            False,
            f'z.literal(["a", "b", ""], {ERROR % "Select a valid choice."}).nullish()',
        ),
        ({"const": True}, True, 'z.literal(true, { error: "This field is required." })'),
        (
            {"type": "array", "items": {"enum": ["x"]}, "minItems": 1},
            True,
            f'z.array(z.literal(["x"], {ERROR % "Select a valid choice."}), '
            f'{ERROR % "This field is required."}).min(1, "This field is required.")',
        ),
        (
            {"type": "string", "format": "date"},
            False,
            f"z.iso.date({ERROR % 'Enter a valid date.'}).nullish()",
        ),
        (
            {"type": "string", "pattern": "^\\d+$"},
            False,
            f"z.string({ERROR % 'Enter a valid value.'})"
            '.regex(new RegExp("^\\\\d+$"), "Enter a valid value.").nullish()',
        ),
        (
            {"description": "A file"},
            True,
            'z.custom((value) => value != null, "This field is required.")',
        ),
        ({"description": "A file"}, False, "z.unknown().nullish()"),
    ],
)
def test_each_rule(prop: dict[str, object], required: bool, code: str) -> None:
    assert zod_value(prop, required) == code


def test_an_object_keeps_the_forms_field_order_and_its_required_list() -> None:
    schema = {
        "properties": {"b": {"type": "boolean"}, "a": {"type": "boolean"}},
        "required": ["a"],
    }
    assert zod_object(schema).splitlines() == [
        "z.object({",
        f'  "b": z.boolean({ERROR % "Enter true or false."}).nullish(),',
        f'  "a": z.boolean({ERROR % "Enter true or false."}),',
        "})",
    ]

"""The output types of a form's three functions.

``FormField``, ``FormChoice`` and ``FormFieldError`` are shared by every form;
``<Form>Schema``, ``<Form>Validation`` and ``<Form>SubmitResult`` are made per
form (its submit result may be typed), named after the form.
"""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import BaseModel, Field


class FormChoice(BaseModel):
    """One option of a choice field."""

    value: str = Field(description="What to send: an enum value's name, or the string itself.")
    label: str
    group: str | None = Field(default=None, description="The option group it belongs to, if any.")


class FormField(BaseModel):
    """One field of a form: how to show it, and the rules the server will apply."""

    name: str = Field(description="The field's name in the form's input type.")
    label: str
    type: str = Field(description="Its GraphQL type in the input type, e.g. String or [ID!].")
    required: bool
    disabled: bool
    initial: Any | None = Field(default=None, description="The value the form starts with.")
    help_text: str | None = None
    widget: str = Field(
        description="The widget Django would render: text, email, url, number, password, hidden, "
        "textarea, checkbox, select, select_multiple, radio, checkboxes, date, datetime, time, "
        "file, or another widget's input type."
    )
    min_length: int | None = None
    max_length: int | None = None
    min_value: Any | None = Field(default=None, description="A number, or an ISO date / time.")
    max_value: Any | None = Field(default=None, description="A number, or an ISO date / time.")
    max_digits: int | None = None
    decimal_places: int | None = None
    pattern: str | None = Field(
        default=None,
        description="A regular expression (ECMAScript syntax) the value must contain a match of.",
    )
    choices: list[FormChoice] | None = Field(
        default=None, description="The options of a choice field, in order; null otherwise."
    )


class FormFieldError(BaseModel):
    """What is wrong with one field."""

    field: str = Field(description="The field's name in the form's input type.")
    messages: list[str]
    codes: list[str] = Field(description="Django's error codes, one per message ('' if none).")


def schema_model(prefix: str, title: str, module: str) -> type[BaseModel]:
    return pydantic.create_model(
        f"{prefix}Schema",
        __doc__=f"The {title} form: its fields, their rules, and a JSON Schema of its input.",
        __module__=module,
        name=(str, Field(description="The form's registered name.")),
        title=(str, ...),
        description=(str | None, None),
        fields=(list[FormField], ...),
        json_schema=(
            dict[str, Any],
            Field(description=f"A JSON Schema (2020-12) of {prefix}Input, keyed like it."),
        ),
    )


def validation_model(prefix: str, title: str, module: str) -> type[BaseModel]:
    return pydantic.create_model(
        f"{prefix}Validation",
        __doc__=f"What the {title} form's validation found.",
        __module__=module,
        **_outcome_fields(),
    )


def submit_model(prefix: str, title: str, module: str, result: Any) -> type[BaseModel]:
    return pydantic.create_model(
        f"{prefix}SubmitResult",
        __doc__=f"The outcome of submitting the {title} form.",
        __module__=module,
        **_outcome_fields(),
        result=(
            result | None,
            Field(default=None, description="What on_submit_success returned; null unless ok."),
        ),
    )


def _outcome_fields() -> dict[str, Any]:
    return {
        "ok": (bool, Field(description="True when there are no errors.")),
        "errors": (list[FormFieldError], Field(description="Errors by field, in form order.")),
        "non_field_errors": (
            list[str],
            Field(description="Errors about the form as a whole (its clean() method)."),
        ),
    }

"""What a client needs to show a form and check it before sending: each field's label,
widget, initial value, choices and constraints, read from the Django form itself."""

from __future__ import annotations

import decimal
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core import validators
from django.core.serializers.json import DjangoJSONEncoder

from mizan.forms.fields import FieldSpec, ValueKind, flat_choices
from mizan.forms.payloads import FormChoice, FormField

# Most specific first: CheckboxSelectMultiple is a RadioSelect, SelectMultiple a Select,
# the date and time inputs are text inputs.
_WIDGETS: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radio"),
    (forms.SelectMultiple, "select_multiple"),
    (forms.Select, "select"),
    (forms.CheckboxInput, "checkbox"),
    (forms.Textarea, "textarea"),
    (forms.FileInput, "file"),
    (forms.DateTimeInput, "datetime"),
    (forms.DateInput, "date"),
    (forms.TimeInput, "time"),
    (forms.SelectDateWidget, "date"),
    (forms.HiddenInput, "hidden"),
)


def widget_kind(widget: forms.Widget) -> str:
    for widget_class, kind in _WIDGETS:
        if isinstance(widget, widget_class):
            return kind
    return str(getattr(widget, "input_type", None) or type(widget).__name__.lower())


@dataclass
class Constraints:
    """The limits a field's validators set, the tightest where several apply."""

    min_length: int | None = None
    max_length: int | None = None
    min_value: Any = None
    max_value: Any = None
    step: Any = None
    max_digits: int | None = None
    decimal_places: int | None = None
    patterns: list[str] = field(default_factory=list)

    @property
    def pattern(self) -> str | None:
        return combine(self.patterns)


def constraints(form_field: forms.Field) -> Constraints:
    found = Constraints()
    for validator in form_field.validators:
        limit = getattr(validator, "limit_value", None)
        if callable(limit):
            limit = limit()
        if isinstance(validator, validators.MinLengthValidator):
            found.min_length = _tightest(found.min_length, limit, max)
        elif isinstance(validator, validators.MaxLengthValidator):
            found.max_length = _tightest(found.max_length, limit, min)
        elif isinstance(validator, validators.MinValueValidator):
            found.min_value = _tightest(found.min_value, limit, max)
        elif isinstance(validator, validators.MaxValueValidator):
            found.max_value = _tightest(found.max_value, limit, min)
        elif isinstance(validator, validators.StepValueValidator) and validator.offset is None:
            found.step = limit
        elif isinstance(validator, validators.DecimalValidator):
            found.max_digits = validator.max_digits
            found.decimal_places = validator.decimal_places
        elif (
            isinstance(validator, validators.RegexValidator)
            # A URL's regex is Python-specific and huge; an inverted or flagged regex has no
            # plain ECMAScript equivalent. The server still applies all of them.
            and not isinstance(validator, validators.URLValidator)
            and not validator.inverse_match
            and not validator.flags
        ):
            regex = validator.regex
            found.patterns.append(ecmascript(regex if isinstance(regex, str) else regex.pattern))
    return found


def _tightest(current: Any, new: Any, pick: Any) -> Any:
    return new if current is None else pick(current, new)


_PYTHON_ONLY = (
    (re.compile(r"(?<!\\)((?:\\\\)*)\\Z"), r"\1$"),
    (re.compile(r"(?<!\\)((?:\\\\)*)\\A"), r"\1^"),
    (re.compile(r"\(\?P<"), "(?<"),
    (re.compile(r"\(\?P=(\w+)\)"), r"\\k<\1>"),
)


def ecmascript(pattern: str) -> str:
    """A Python regex in the syntax JavaScript and JSON Schema validators read."""
    for python, ecma in _PYTHON_ONLY:
        pattern = python.sub(ecma, pattern)
    return pattern


def combine(patterns: list[str]) -> str | None:
    """One regex that finds a match of each pattern (each, like ``re.search``, anywhere)."""
    if len(patterns) <= 1:
        return patterns[0] if patterns else None
    return "^" + "".join(rf"(?=[\s\S]*?(?:{p}))" for p in patterns)


def jsonable(value: Any) -> Any:
    """A value as JSON would carry it: dates as ISO strings, Decimals as strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    except TypeError:
        return str(value)


def bound(value: Any) -> Any:
    """A min or max value: Decimals as JSON numbers, so a client can compare with them."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return jsonable(value)


def initial(form: forms.BaseForm, spec: FieldSpec) -> Any:
    form_field = form.fields[spec.name]
    if spec.kind is ValueKind.FILE:
        return None  # a file already stored is not something the client can send back
    value = form_field.prepare_value(form.get_initial_for_field(form_field, spec.name))
    if value is None or value == "":
        return None
    if isinstance(form_field, forms.ChoiceField):  # choice values travel as strings
        return [str(v) for v in value] if spec.many else str(value)
    return jsonable(value)


def is_required(form_field: forms.Field) -> bool:
    """Whether the form refuses an empty value (a NullBooleanField never does, and a
    disabled field keeps its initial value whatever is sent)."""
    return (
        form_field.required
        and not form_field.disabled
        and not isinstance(form_field, forms.NullBooleanField)
    )


def describe(form: forms.BaseForm, spec: FieldSpec) -> FormField:
    """A field of an (unbound) form instance, as the schema query reports it."""
    form_field = form.fields[spec.name]
    limits = constraints(form_field)
    help_text = str(form_field.help_text or "") or None
    choices = (
        [
            FormChoice(value=str(v), label=label, group=group)
            for v, label, group in flat_choices(form_field)
        ]
        if isinstance(form_field, forms.ChoiceField)
        else None
    )
    return FormField(
        name=spec.graphql_name,
        label=str(form[spec.name].label),
        type=spec.graphql_type,
        required=is_required(form_field),
        disabled=form_field.disabled,
        initial=initial(form, spec),
        help_text=help_text,
        widget=widget_kind(form_field.widget),
        min_length=limits.min_length,
        max_length=limits.max_length,
        min_value=bound(limits.min_value),
        max_value=bound(limits.max_value),
        max_digits=limits.max_digits,
        decimal_places=limits.decimal_places,
        pattern=limits.pattern,
        choices=choices,
    )

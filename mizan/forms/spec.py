"""A form's declaration (``MizanFormMeta``) and its registered description (``FormSpec``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django import forms

from mizan.definitions import AuthSpec, Source

if TYPE_CHECKING:
    import pydantic

    from mizan.forms.fields import FieldSpec
    from mizan.ratelimit import Rate


@dataclass(frozen=True, kw_only=True)
class MizanFormMeta:
    """How a form is served: ``mizan = MizanFormMeta(name="contact", title="Contact Us")``.

    ``name`` names its functions (``contact.schema``, ``contact.validate``,
    ``contact.submit``) and prefixes its GraphQL types (``ContactInput``).
    ``auth`` guards all three, as on ``@client``; ``affects`` is the submit's,
    as on ``@client``. ``update=True`` lets a ModelForm's validate and submit
    take the ``id`` of a row to change, among ``get_queryset(request)``.
    ``rate`` and ``rate_key`` limit submits (not validates), as on ``@client``.
    """

    name: str | None = None
    title: str | None = None
    description: str | None = None
    auth: AuthSpec | None = None
    affects: str | Callable[..., Any] | Sequence[str | Callable[..., Any]] | None = None
    update: bool = False
    rate: str | Literal[False] | None = None
    rate_key: Callable[..., Any] | None = None


@dataclass(frozen=True)
class FormSpec:
    """A registered form: what its three functions, and a client generator, read."""

    form_class: type[forms.BaseForm]
    name: str
    title: str
    description: str | None
    type_prefix: str  # "contact" → "Contact": ContactInput, ContactSchema, ...
    fields: tuple[FieldSpec, ...]
    input_model: type[pydantic.BaseModel]
    result: Any  # the annotation of the submit's result: JSON unless on_submit_success says
    source: Source
    auth: AuthSpec | None = None
    affects: tuple[str | Callable[..., Any], ...] = ()
    update: bool = False
    rate: Rate | Literal[False] | None = None  # the submit's
    rate_key: Callable[..., Any] | None = None

    @property
    def is_model_form(self) -> bool:
        return issubclass(self.form_class, forms.BaseModelForm)

    def unbound(self) -> forms.BaseForm:
        """An unbound instance, as mizan reads the form's fields outside a request."""
        return unbound_form(self.form_class)

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema (2020-12) of the form's input, keyed by GraphQL field names."""
        from mizan.forms.json_schema import json_schema

        return json_schema(self.unbound(), list(self.fields), self.title, self.description)

    def file_fields(self) -> list[str]:
        """The GraphQL names of the fields that take an upload."""
        from mizan.forms.fields import ValueKind

        return [f.graphql_name for f in self.fields if f.kind is ValueKind.FILE]

    def number_fields(self) -> list[str]:
        return [f.graphql_name for f in self.fields if f.graphql_type in ("Int", "Float")]

    def field_names(self) -> list[str]:
        return [f.graphql_name for f in self.fields]


def unbound_form(form_class: type[forms.BaseForm]) -> forms.BaseForm:
    """``form_class(**get_form_kwargs(None))``: the form as its fields are outside a request
    (``__init__`` may add or remove fields)."""
    return form_class(**form_class.get_form_kwargs(None))  # type: ignore[attr-defined]


#: Which of a form's functions is running: its ``self.mizan_role`` while mizan uses it.
FormRole = Literal["schema", "validate", "submit"]


@dataclass(frozen=True)
class FormPart:
    """On a FunctionDef: the form it was generated from, and which of its functions it is."""

    spec: FormSpec
    role: FormRole

"""The SDL a form generates, byte for byte, and the seed's form snippet, verbatim."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django import forms
from django.test import Client

from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from mizan.setup.registry import Registry

SEED_FORM = """
from mizan.forms import mizanFormMixin, mizanFormMeta
class ContactForm(mizanFormMixin, forms.Form):
    mizan = mizanFormMeta(name="contact", title="Contact Us")
    name = forms.CharField()
    email = forms.EmailField()
    def on_submit_success(self, request):
        return {"sent": True}
"""


@pytest.mark.django_db
def test_seed_form_snippet_registers_three_functions_and_submits(
    registry: Registry, client: Client
) -> None:
    namespace: dict[str, Any] = {"__name__": "seed_snippet", "forms": forms}
    exec(compile(SEED_FORM, "seed_snippet.py", "exec"), namespace)
    assert sorted(d.name for d in registry) == [
        "contact.schema",
        "contact.submit",
        "contact.validate",
    ]
    assert str(registry.get("contact.submit").source) == (
        "seed_snippet.ContactForm (seed_snippet.py:3)"
    )
    response = client.post(
        "/api/mizan/graphql/",
        json.dumps(
            {
                "query": "mutation($d: ContactInput!) { contactSubmit(data: $d) { ok result } }",
                "variables": {"d": {"name": "Ada", "email": "ada@example.com"}},
            }
        ),
        content_type="application/json",
    )
    assert response.json() == {"data": {"contactSubmit": {"ok": True, "result": {"sent": True}}}}


def test_public_exports() -> None:
    import mizan.forms

    assert sorted(mizan.forms.__all__) == [
        "FormPart",
        "FormSpec",
        "MizanFormMeta",
        "MizanFormMixin",
        "mizanFormMeta",
        "mizanFormMixin",
    ]


def test_sdl_snapshot_of_a_forms_generated_types() -> None:
    class ContactForm(mizanFormMixin, forms.Form):
        """Write to us."""

        mizan = mizanFormMeta(name="contact", title="Contact Us", auth=True)
        name = forms.CharField(max_length=100, help_text="Who you are.")
        email = forms.EmailField()
        topic = forms.ChoiceField(choices=[("general", "General"), ("billing", "Billing")])

        def on_submit_success(self, request: Any) -> dict[str, bool]:
            return {"sent": True}

    assert get_schema().sdl() == SDL_SNAPSHOT


SDL_SNAPSHOT = '''\
"""
The caller must satisfy this requirement; otherwise the field is null with an UNAUTHENTICATED or FORBIDDEN error.
"""
directive @auth(requires: AuthLevel!) on FIELD_DEFINITION

"""Who may call a field."""
enum AuthLevel {
  AUTHENTICATED
  STAFF
  SUPERUSER
  CUSTOM
}

"""The data of the Contact Us form."""
input ContactInput {
  """Who you are."""
  name: String = null
  email: String = null
  topic: ContactTopicChoice = null
}

"""
The Contact Us form: its fields, their rules, and a JSON Schema of its input.
"""
type ContactSchema {
  """The form's registered name."""
  name: String!
  title: String!
  description: String
  fields: [FormField!]!

  """A JSON Schema (2020-12) of ContactInput, keyed like it."""
  jsonSchema: JSON!
}

"""The outcome of submitting the Contact Us form."""
type ContactSubmitResult {
  """True when there are no errors."""
  ok: Boolean!

  """Errors by field, in form order."""
  errors: [FormFieldError!]!

  """Errors about the form as a whole (its clean() method)."""
  nonFieldErrors: [String!]!

  """What on_submit_success returned; null unless ok."""
  result: JSON
}

"""The choices of ContactInput.topic."""
enum ContactTopicChoice {
  general
  billing
}

"""What the Contact Us form's validation found."""
type ContactValidation {
  """True when there are no errors."""
  ok: Boolean!

  """Errors by field, in form order."""
  errors: [FormFieldError!]!

  """Errors about the form as a whole (its clean() method)."""
  nonFieldErrors: [String!]!
}

"""One option of a choice field."""
type FormChoice {
  """What to send: an enum value's name, or the string itself."""
  value: String!
  label: String!

  """The option group it belongs to, if any."""
  group: String
}

"""
One field of a form: how to show it, and the rules the server will apply.
"""
type FormField {
  """The field's name in the form's input type."""
  name: String!
  label: String!

  """Its GraphQL type in the input type, e.g. String or [ID!]."""
  type: String!
  required: Boolean!
  disabled: Boolean!

  """The value the form starts with."""
  initial: JSON
  helpText: String

  """
  The widget Django would render: text, email, url, number, password, hidden, textarea, checkbox, select, select_multiple, radio, checkboxes, date, datetime, time, file, or another widget's input type.
  """
  widget: String!
  minLength: Int
  maxLength: Int

  """A number, or an ISO date / time."""
  minValue: JSON

  """A number, or an ISO date / time."""
  maxValue: JSON
  maxDigits: Int
  decimalPlaces: Int

  """
  A regular expression (ECMAScript syntax) the value must contain a match of.
  """
  pattern: String

  """The options of a choice field, in order; null otherwise."""
  choices: [FormChoice!]
}

"""What is wrong with one field."""
type FormFieldError {
  """The field's name in the form's input type."""
  field: String!
  messages: [String!]!

  """Django's error codes, one per message ('' if none)."""
  codes: [String!]!
}

"""
The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf).
"""
scalar JSON @specifiedBy(url: "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf")

type Mutation {
  """
  Submit the Contact Us form: validate, then act on it. Nothing is done with invalid data.
  """
  contactSubmit(data: ContactInput!): ContactSubmitResult! @auth(requires: AUTHENTICATED)
}

type Query {
  """
  The Contact Us form: its fields, their rules and a JSON Schema of its input.
  """
  contactSchema: ContactSchema! @auth(requires: AUTHENTICATED)

  """
  Check Contact Us data with the form's own rules, without submitting it. With `fields`, only those fields' errors are reported.
  """
  contactValidate(data: ContactInput!, fields: [String!] = null): ContactValidation! @auth(requires: AUTHENTICATED)
}
'''

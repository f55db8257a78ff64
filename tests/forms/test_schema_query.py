"""``<form>Schema``: what a client needs to render a form and check it before sending,
and a JSON Schema that agrees with the form on every rule it can express."""

from __future__ import annotations

import datetime
from typing import Any

import jsonschema
import pytest
from django import forms
from django.test import Client

from mizan.forms import mizanFormMeta, mizanFormMixin
from tests.app.models import Member
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db

SCHEMA_QUERY = """
{ signupSchema { name title description jsonSchema fields {
    name label type required disabled initial helpText widget
    minLength maxLength minValue maxValue maxDigits decimalPlaces pattern
    choices { value label group } } } }
"""


@pytest.fixture(autouse=True)
def signup() -> None:
    class Signup(mizanFormMixin, forms.Form):
        """Join the club."""

        mizan = mizanFormMeta(name="signup", title="Sign up")
        handle = forms.RegexField(
            regex=r"^[a-z]+\Z", min_length=3, max_length=12, help_text="Lower-case letters."
        )
        email = forms.EmailField(label="E-mail")
        age = forms.IntegerField(min_value=18, max_value=130, required=False)
        fee = forms.DecimalField(max_digits=5, decimal_places=2)
        ratio = forms.FloatField(min_value=0, max_value=1, required=False)
        start = forms.DateField(initial=lambda: datetime.date(2024, 1, 1), required=False)
        plan = forms.ChoiceField(
            choices=[("", "Pick one"), ("Paid", [("pro", "Pro"), ("team", "Team")])],
            widget=forms.RadioSelect,
        )
        bio = forms.CharField(widget=forms.Textarea, required=False)
        terms = forms.BooleanField()
        code = forms.CharField(disabled=True, initial="X1")
        avatar = forms.FileField(required=False)
        sponsor = forms.ModelChoiceField(Member.objects.all(), required=False)
        nickname = forms.CharField(max_length=20)

        def on_submit_success(self, request: Any) -> None:
            return None


def fields_by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in body["data"]["signupSchema"]["fields"]}


NULLS = {
    "initial": None,
    "helpText": None,
    "minLength": None,
    "maxLength": None,
    "minValue": None,
    "maxValue": None,
    "maxDigits": None,
    "decimalPlaces": None,
    "pattern": None,
    "choices": None,
    "disabled": False,
}


def test_schema_describes_each_field(gql: GraphQL) -> None:
    body = gql(SCHEMA_QUERY).json()
    schema = body["data"]["signupSchema"]
    assert (schema["name"], schema["title"], schema["description"]) == (
        "signup",
        "Sign up",
        "Join the club.",
    )
    fields = fields_by_name(body)
    assert list(fields) == [
        "handle",
        "email",
        "age",
        "fee",
        "ratio",
        "start",
        "plan",
        "bio",
        "terms",
        "code",
        "avatar",
        "sponsor",
        "nickname",
    ]
    assert fields["handle"] == {
        **NULLS,
        "name": "handle",
        "label": "Handle",
        "type": "String",
        "required": True,
        "helpText": "Lower-case letters.",
        "widget": "text",
        "minLength": 3,
        "maxLength": 12,
        "pattern": "^[a-z]+$",  # Python's \Z, in the syntax a browser reads
    }
    assert fields["email"]["label"] == "E-mail"
    assert fields["email"]["widget"] == "email"
    assert (fields["age"]["minValue"], fields["age"]["maxValue"]) == (18, 130)
    assert (fields["age"]["required"], fields["age"]["widget"], fields["age"]["type"]) == (
        False,
        "number",
        "Int",
    )
    assert (fields["fee"]["maxDigits"], fields["fee"]["decimalPlaces"]) == (5, 2)
    assert fields["fee"]["type"] == "Decimal"
    assert (fields["ratio"]["minValue"], fields["ratio"]["maxValue"]) == (0, 1)
    assert fields["start"]["initial"] == "2024-01-01"  # a callable initial, evaluated now
    assert fields["start"]["widget"] == "date"
    assert fields["plan"]["type"] == "SignupPlanChoice"
    assert fields["plan"]["widget"] == "radio"
    assert fields["plan"]["choices"] == [
        {"value": "", "label": "Pick one", "group": None},
        {"value": "pro", "label": "Pro", "group": "Paid"},
        {"value": "team", "label": "Team", "group": "Paid"},
    ]
    assert fields["bio"]["widget"] == "textarea"
    assert (fields["terms"]["widget"], fields["terms"]["type"]) == ("checkbox", "Boolean")
    # A disabled field keeps its initial value whatever is sent: never required.
    assert (fields["code"]["disabled"], fields["code"]["required"], fields["code"]["initial"]) == (
        True,
        False,
        "X1",
    )
    assert (fields["avatar"]["type"], fields["avatar"]["widget"]) == ("Upload", "file")
    assert fields["sponsor"]["type"] == "ID"


def test_model_choices_are_the_rows_at_request_time(gql: GraphQL) -> None:
    query = "{ signupSchema { fields { name choices { value label } } } }"
    before = fields_by_name(gql(query).json())["sponsor"]["choices"]
    ada = Member.objects.create(handle="ada", email="ada@example.com")
    after = fields_by_name(gql(query).json())["sponsor"]["choices"]
    assert before == [{"value": "", "label": "---------"}]
    assert after == [{"value": "", "label": "---------"}, {"value": str(ada.pk), "label": "ada"}]


def test_json_schema_is_a_valid_2020_12_schema_of_the_input(gql: GraphQL) -> None:
    schema = gql(SCHEMA_QUERY).json()["data"]["signupSchema"]["jsonSchema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (schema["title"], schema["description"]) == ("Sign up", "Join the club.")
    assert schema["required"] == ["handle", "email", "fee", "plan", "terms", "nickname"]
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert properties["plan"]["enum"] == ["pro", "team"]
    assert properties["terms"] == {"title": "Terms", "const": True}
    assert properties["age"] == {
        "title": "Age",
        "type": ["integer", "null"],
        "minimum": 18,
        "maximum": 130,
    }
    assert properties["start"] == {
        "title": "Start",
        "default": "2024-01-01",
        "type": ["string", "null"],
        "format": "date",
    }
    assert properties["code"]["readOnly"] is True


GOOD = {
    "handle": "adalove",
    "email": "ada@example.com",
    "fee": "1.50",
    "plan": "pro",
    "terms": True,
    "nickname": "Ada",
}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("all good", {}),
    ("optional fields given", {"age": 18, "ratio": 0.5, "bio": "Hi", "start": "2024-05-01"}),
    ("optional fields null", {"age": None, "ratio": None, "bio": None, "start": None}),
    ("disabled field sent anyway", {"code": "other"}),
    ("handle too short", {"handle": "ab"}),
    ("handle too long", {"handle": "abcdefghijklm"}),
    ("handle breaks the regex", {"handle": "Ada"}),
    ("handle blank", {"handle": "   "}),
    ("handle missing", {"handle": None}),
    ("email invalid", {"email": "not-an-email"}),
    ("age too low", {"age": 17}),
    ("age too high", {"age": 131}),
    ("ratio too high", {"ratio": 1.5}),
    ("fee with too many decimals", {"fee": "1.234"}),
    ("fee with too many whole digits", {"fee": "1234.5"}),
    ("fee at the limit", {"fee": "-999.99"}),
    ("fee with leading zeros", {"fee": "00012.5"}),
    ("fee missing", {"fee": None}),
    ("plan missing", {"plan": None}),
    ("terms not ticked", {"terms": False}),
    ("terms missing", {"terms": None}),
    ("nickname blank", {"nickname": "   "}),
    ("nickname empty", {"nickname": ""}),
    ("nickname padded", {"nickname": "  Ada  "}),
]


@pytest.mark.parametrize(("case", "change"), CASES, ids=[c for c, _ in CASES])
def test_json_schema_agrees_with_the_form(
    gql: GraphQL, post: GraphQL, case: str, change: dict[str, Any]
) -> None:
    schema = gql(SCHEMA_QUERY).json()["data"]["signupSchema"]["jsonSchema"]
    data = {**GOOD, **change}
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    body = post(
        "query($d: SignupInput!) { signupValidate(data: $d) { ok errors { field } } }", {"d": data}
    ).json()
    form_ok = body["data"]["signupValidate"]["ok"]
    assert validator.is_valid(data) == form_ok, (case, body, list(validator.iter_errors(data)))
    assert form_ok == (
        case
        in {
            "all good",
            "optional fields given",
            "optional fields null",
            "disabled field sent anyway",
            "fee at the limit",
            "fee with leading zeros",
            "nickname padded",
        }
    )


def test_a_guarded_form_hides_its_schema(client: Client) -> None:
    class Secret(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="secret", auth="staff")
        word = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            return None

    response = client.get(
        "/api/mizan/graphql/",
        {"query": "{ secretSchema { title } }"},
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

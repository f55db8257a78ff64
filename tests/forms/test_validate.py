"""``<form>Validate``: the form's real validation, server-only rules included, without
performing anything; errors keyed by GraphQL field name; POST only."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client

from mizan.forms import mizanFormMeta, mizanFormMixin
from tests.app.models import Member, Message
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db

submitted: list[str] = []
requests_seen: list[Any] = []

VALIDATE = """
query($d: ContactInput!, $fields: [String!]) {
  contactValidate(data: $d, fields: $fields) {
    ok errors { field messages codes } nonFieldErrors
  }
}
"""


@pytest.fixture(autouse=True)
def contact() -> None:
    submitted.clear()
    requests_seen.clear()

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact", title="Contact Us")
        first_name = forms.CharField(max_length=20)
        email = forms.EmailField()
        order_number = forms.IntegerField(required=False, min_value=1)
        topic = forms.ChoiceField(choices=[("general", "General"), ("billing", "Billing")])
        message = forms.CharField(required=False)

        def clean_first_name(self) -> str:
            requests_seen.append(self.request)
            name = str(self.cleaned_data["first_name"])
            if name.lower() == "root":
                raise ValidationError("That name is reserved.", code="reserved")
            return name

        def clean(self) -> dict[str, Any]:
            cleaned = super().clean() or {}
            if cleaned.get("topic") == "billing" and not cleaned.get("order_number"):
                self.add_error("order_number", "Billing questions need an order number.")
            if "http://" in (cleaned.get("message") or ""):
                raise ValidationError("Links are not allowed.", code="links")
            return cleaned

        def on_submit_success(self, request: Any) -> dict[str, bool]:
            submitted.append("yes")
            Message.objects.create(text="sent")
            return {"sent": True}


GOOD = {"firstName": "Ada", "email": "ada@example.com", "topic": "general"}


def validate(post: GraphQL, data: dict[str, Any], fields: list[str] | None = None) -> Any:
    variables: dict[str, Any] = {"d": data}
    if fields is not None:
        variables["fields"] = fields
    body = post(VALIDATE, variables).json()
    assert "errors" not in body, body
    return body["data"]["contactValidate"]


def test_valid_data_is_ok_and_nothing_is_performed(post: GraphQL) -> None:
    assert validate(post, GOOD) == {"ok": True, "errors": [], "nonFieldErrors": []}
    assert submitted == [] and Message.objects.count() == 0


def test_errors_are_keyed_by_graphql_field_name_in_form_order(post: GraphQL) -> None:
    result = validate(post, {"email": "nope", "orderNumber": 0, "topic": "general"})
    assert result == {
        "ok": False,
        "errors": [
            {"field": "firstName", "messages": ["This field is required."], "codes": ["required"]},
            {"field": "email", "messages": ["Enter a valid email address."], "codes": ["invalid"]},
            {
                "field": "orderNumber",
                "messages": ["Ensure this value is greater than or equal to 1."],
                "codes": ["min_value"],
            },
        ],
        "nonFieldErrors": [],
    }


def test_missing_and_null_and_blank_are_all_the_forms_required_error(post: GraphQL) -> None:
    for first_name in (None, "", "   "):
        data = {**GOOD, "firstName": first_name}
        result = validate(post, data)
        assert result["errors"] == [
            {"field": "firstName", "messages": ["This field is required."], "codes": ["required"]}
        ], first_name
    without = {k: v for k, v in GOOD.items() if k != "firstName"}
    assert validate(post, without)["errors"][0]["codes"] == ["required"]


def test_custom_clean_methods_run(post: GraphQL) -> None:
    reserved = validate(post, {**GOOD, "firstName": "root"})
    assert reserved["errors"] == [
        {"field": "firstName", "messages": ["That name is reserved."], "codes": ["reserved"]}
    ]
    billing = validate(post, {**GOOD, "topic": "billing"})
    assert billing["errors"] == [
        {
            "field": "orderNumber",
            "messages": ["Billing questions need an order number."],
            "codes": [""],
        }
    ]
    links = validate(post, {**GOOD, "message": "see http://spam"})
    assert links == {"ok": False, "errors": [], "nonFieldErrors": ["Links are not allowed."]}


def test_the_form_sees_the_request(post: GraphQL) -> None:
    validate(post, GOOD)
    (request,) = requests_seen
    assert request.method == "POST" and request.path == "/api/mizan/graphql/"


def test_partial_validation_reports_only_the_listed_fields(post: GraphQL) -> None:
    data = {"firstName": "root", "email": "nope", "message": "http://spam", "topic": "general"}
    only_email = validate(post, data, ["email"])
    assert only_email == {
        "ok": False,
        "errors": [
            {"field": "email", "messages": ["Enter a valid email address."], "codes": ["invalid"]}
        ],
        "nonFieldErrors": [],
    }
    only_topic = validate(post, data, ["topic"])
    assert only_topic == {"ok": True, "errors": [], "nonFieldErrors": []}
    everything = validate(post, data)
    assert [e["field"] for e in everything["errors"]] == ["firstName", "email"]
    assert everything["nonFieldErrors"] == ["Links are not allowed."]


def test_partial_validation_refuses_unknown_fields(post: GraphQL) -> None:
    body = post(VALIDATE, {"d": GOOD, "fields": ["email", "phone"]}).json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "fields"
    assert "Unknown field(s) phone" in error["message"]
    assert "firstName, email, orderNumber, topic, message" in error["message"]


def test_an_enum_value_outside_the_choices_is_refused_by_graphql(post: GraphQL) -> None:
    body = post(VALIDATE, {"d": {**GOOD, "topic": "sales"}}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ContactTopicChoice" in body["errors"][0]["message"]


def test_validate_is_post_only_form_data_never_goes_in_a_url(client: Client) -> None:
    response = client.get(
        "/api/mizan/graphql/",
        {"query": 'query { contactValidate(data: {firstName: "Ada"}) { ok } }'},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert "data" not in body  # refused before execution started
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "send it as POST" in body["errors"][0]["message"]
    assert requests_seen == []  # the form never ran


class TestUniqueness:
    """A rule only the server can check, reported live like any other."""

    @pytest.fixture(autouse=True)
    def member_form(self) -> None:
        class MemberForm(mizanFormMixin, forms.ModelForm):
            mizan = mizanFormMeta(name="member", update=True)

            class Meta:
                model = Member
                fields = ["handle", "email"]

    def validate(self, post: GraphQL, data: dict[str, Any], id: str | None = None) -> Any:
        query = "query($d: MemberInput!, $id: ID) { memberValidate(data: $d, id: $id) { ok errors { field messages codes } } }"
        return post(query, {"d": data, "id": id}).json()["data"]["memberValidate"]

    def test_a_taken_handle_is_a_field_error(self, post: GraphQL) -> None:
        Member.objects.create(handle="ada", email="ada@example.com")
        result = self.validate(post, {"handle": "ada", "email": "other@example.com"})
        assert result == {
            "ok": False,
            "errors": [
                {
                    "field": "handle",
                    "messages": ["Member with this Handle already exists."],
                    "codes": ["unique"],
                }
            ],
        }
        assert Member.objects.count() == 1

    def test_a_free_handle_is_fine(self, post: GraphQL) -> None:
        Member.objects.create(handle="ada", email="ada@example.com")
        assert self.validate(post, {"handle": "grace", "email": "g@example.com"})["ok"] is True

    def test_an_update_may_keep_its_own_handle(self, post: GraphQL) -> None:
        ada = Member.objects.create(handle="ada", email="ada@example.com")
        data = {"handle": "ada", "email": "new@example.com"}
        assert self.validate(post, data, str(ada.pk))["ok"] is True
        assert Member.objects.get().email == "ada@example.com"  # validated, not saved

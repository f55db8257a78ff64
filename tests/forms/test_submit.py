"""``<form>Submit``: validate, then ``on_submit_success`` inside a transaction; nothing is
performed with invalid data, and a failure leaves nothing behind."""

from __future__ import annotations

import datetime
import decimal
import json
import logging
import uuid
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client
from pydantic import BaseModel

from mizan import ClientError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from mizan.testing import MizanTestClient
from tests.app.models import Member, Message
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db

calls: list[str] = []

SUBMIT = """
mutation($d: NoteInput!) {
  noteSubmit(data: $d) { ok errors { field messages codes } nonFieldErrors result }
}
"""


class Receipt(BaseModel):
    """What a typed submit returns."""

    reference: str
    count: int


@pytest.fixture(autouse=True)
def note() -> None:
    calls.clear()

    class NoteForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="note", title="Note")
        text = forms.CharField(max_length=200)
        then = forms.ChoiceField(
            required=False,
            choices=[("crash", "Crash"), ("refuse", "Refuse"), ("odd", "Odd"), ("rich", "Rich")],
        )

        def on_submit_success(self, request: HttpRequest) -> Any:
            calls.append(self.cleaned_data["text"])
            message = Message.objects.create(text=self.cleaned_data["text"])
            then = self.cleaned_data["then"]
            if then == "crash":
                raise RuntimeError("the mail server is down")
            if then == "refuse":
                raise ClientError("Try again tomorrow.", code="CLOSED")
            if then == "odd":
                return {"unsendable": object()}
            if then == "rich":
                return {
                    "when": datetime.date(2024, 1, 2),
                    "amount": decimal.Decimal("1.50"),
                    "key": uuid.UUID(int=1),
                }
            return {"id": message.pk}


def submit(post: GraphQL, data: dict[str, Any]) -> Any:
    return post(SUBMIT, {"d": data}).json()


def test_valid_data_is_submitted_and_its_result_returned(post: GraphQL) -> None:
    body = submit(post, {"text": "hello"})
    message = Message.objects.get()
    assert body == {
        "data": {
            "noteSubmit": {
                "ok": True,
                "errors": [],
                "nonFieldErrors": [],
                "result": {"id": message.pk},
            }
        }
    }
    assert message.text == "hello" and calls == ["hello"]


def test_invalid_data_performs_nothing(post: GraphQL) -> None:
    body = submit(post, {"text": "x" * 201})
    assert body == {
        "data": {
            "noteSubmit": {
                "ok": False,
                "errors": [
                    {
                        "field": "text",
                        "messages": ["Ensure this value has at most 200 characters (it has 201)."],
                        "codes": ["max_length"],
                    }
                ],
                "nonFieldErrors": [],
                "result": None,
            }
        }
    }
    assert calls == [] and Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_on_submit_success_rolls_back_and_is_masked(
    post: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        body = submit(post, {"text": "doomed", "then": "crash"})
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Internal server error."
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "mail server" not in json.dumps(body)
    assert calls == ["doomed"]  # it ran, and the row it wrote is gone
    assert Message.objects.count() == 0
    assert "the mail server is down" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_client_error_reaches_the_client_and_rolls_back(post: GraphQL) -> None:
    body = submit(post, {"text": "later", "then": "refuse"})
    assert body["errors"][0]["message"] == "Try again tomorrow."
    assert body["errors"][0]["extensions"]["code"] == "CLOSED"
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_result_that_is_not_json_rolls_back(post: GraphQL) -> None:
    body = submit(post, {"text": "odd", "then": "odd"})
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert Message.objects.count() == 0


def test_dates_decimals_and_uuids_in_a_result_become_json(post: GraphQL) -> None:
    body = submit(post, {"text": "rich", "then": "rich"})
    assert body["data"]["noteSubmit"]["result"] == {
        "when": "2024-01-02",
        "amount": "1.50",
        "key": "00000000-0000-0000-0000-000000000001",
    }


def test_submit_is_a_mutation_refused_over_get(client: Client) -> None:
    response = client.get(
        "/api/mizan/graphql/",
        {"query": 'mutation { noteSubmit(data: {text: "x"}) { ok } }'},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 405
    assert calls == []


def test_the_test_client_calls_a_form_with_typed_results() -> None:
    result = MizanTestClient().call("note.submit", data={"text": "typed"})
    assert result.ok
    assert result.data.ok is True
    assert result.data.result == {"id": Message.objects.get().pk}
    checked = MizanTestClient().call("note.validate", data={"text": ""}, fields=["text"])
    assert checked.data.ok is False
    assert checked.data.errors[0].codes == ["required"]


@pytest.mark.django_db(transaction=True)
async def test_submit_under_asgi() -> None:
    result = await MizanTestClient().acall("note.submit", data={"text": "async"})
    assert result.ok and result.data.ok
    assert await Message.objects.filter(text="async").acount() == 1


class TestValidationErrorFromOnSubmitSuccess:
    """A rule checked only at the last moment (a payment declined) is data, like the form's."""

    @pytest.fixture(autouse=True)
    def pay(self) -> None:
        class PayForm(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="pay")
            card = forms.CharField()

            def on_submit_success(self, request: Any) -> None:
                Message.objects.create(text="charged")
                if self.cleaned_data["card"] == "declined":
                    raise ValidationError("Your card was declined.", code="declined")
                if self.cleaned_data["card"] == "expired":
                    raise ValidationError({"card": ValidationError("Expired.", code="expired")})

    def test_a_non_field_error(self, post: GraphQL) -> None:
        body = post(
            'mutation { paySubmit(data: {card: "declined"}) { ok nonFieldErrors result } }'
        ).json()
        assert body == {
            "data": {
                "paySubmit": {
                    "ok": False,
                    "nonFieldErrors": ["Your card was declined."],
                    "result": None,
                }
            }
        }
        assert Message.objects.count() == 0

    def test_a_field_error(self, post: GraphQL) -> None:
        body = post(
            'mutation { paySubmit(data: {card: "expired"}) { ok errors { field codes } } }'
        ).json()
        assert body == {
            "data": {
                "paySubmit": {"ok": False, "errors": [{"field": "card", "codes": ["expired"]}]}
            }
        }
        assert Message.objects.count() == 0


def test_a_typed_result(post: GraphQL) -> None:
    class OrderForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="order")
        quantity = forms.IntegerField(min_value=1)

        def on_submit_success(self, request: Any) -> Receipt:
            return Receipt(reference="R-1", count=self.cleaned_data["quantity"])

    assert "  result: Receipt\n" in get_schema().sdl()
    body = post(
        "mutation { orderSubmit(data: {quantity: 3}) { result { reference count } } }"
    ).json()
    assert body == {"data": {"orderSubmit": {"result": {"reference": "R-1", "count": 3}}}}
    invalid = post("mutation { orderSubmit(data: {quantity: 0}) { ok result { count } } }").json()
    assert invalid == {"data": {"orderSubmit": {"ok": False, "result": None}}}


class TestModelForm:
    @pytest.fixture(autouse=True)
    def member_forms(self) -> None:
        class MemberForm(mizanFormMixin, forms.ModelForm):
            mizan = mizanFormMeta(name="member", update=True)

            class Meta:
                model = Member
                fields = ["handle", "email"]

            @classmethod
            def get_queryset(cls, request: Any) -> Any:
                return Member.objects.exclude(handle="locked")

        class SignupForm(mizanFormMixin, forms.ModelForm):  # create only
            mizan = mizanFormMeta(name="signup")

            class Meta:
                model = Member
                fields = ["handle", "email"]

    MUTATION = """
    mutation($d: MemberInput!, $id: ID) {
      memberSubmit(data: $d, id: $id) { ok errors { field codes } result }
    }
    """

    def test_create_saves_and_returns_the_id(self, post: GraphQL) -> None:
        body = post(self.MUTATION, {"d": {"handle": "ada", "email": "ada@example.com"}}).json()
        ada = Member.objects.get()
        assert body == {
            "data": {"memberSubmit": {"ok": True, "errors": [], "result": {"id": ada.pk}}}
        }
        assert (ada.handle, ada.email) == ("ada", "ada@example.com")

    def test_update_changes_the_named_row(self, post: GraphQL) -> None:
        ada = Member.objects.create(handle="ada", email="old@example.com")
        data = {"handle": "ada", "email": "new@example.com"}
        body = post(self.MUTATION, {"d": data, "id": str(ada.pk)}).json()
        assert body["data"]["memberSubmit"] == {"ok": True, "errors": [], "result": {"id": ada.pk}}
        assert Member.objects.get().email == "new@example.com"

    def test_update_cannot_take_another_rows_unique_value(self, post: GraphQL) -> None:
        Member.objects.create(handle="grace", email="g@example.com")
        ada = Member.objects.create(handle="ada", email="a@example.com")
        data = {"handle": "grace", "email": "a@example.com"}
        body = post(self.MUTATION, {"d": data, "id": str(ada.pk)}).json()
        assert body["data"]["memberSubmit"]["errors"] == [{"field": "handle", "codes": ["unique"]}]
        assert Member.objects.get(pk=ada.pk).handle == "ada"

    @pytest.mark.parametrize("which", ["locked", "missing", "garbage"])
    def test_a_row_outside_get_queryset_is_not_found(self, post: GraphQL, which: str) -> None:
        locked = Member.objects.create(handle="locked", email="l@example.com")
        id = {"locked": str(locked.pk), "missing": "999999", "garbage": "abc"}[which]
        data = {"handle": "mine", "email": "m@example.com"}
        body = post(self.MUTATION, {"d": data, "id": id}).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert "that you may change" in body["errors"][0]["message"]
        assert list(Member.objects.values_list("handle", flat=True)) == ["locked"]

    def test_a_form_without_update_takes_no_id(self, post: GraphQL) -> None:
        ada = Member.objects.create(handle="ada", email="a@example.com")
        body = post(
            'mutation($id: ID) { signupSubmit(data: {handle: "x", email: "x@example.com"}, id: $id) { ok } }',
            {"id": str(ada.pk)},
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert Member.objects.count() == 1


class TestAuth:
    @pytest.fixture(autouse=True)
    def private(self) -> None:
        class DiaryForm(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="diary", auth=True)
            text = forms.CharField()

            def on_submit_success(self, request: Any) -> str:
                Message.objects.create(text=f"{request.user.username}: {self.cleaned_data['text']}")
                return "saved"

        class AuditForm(mizanFormMixin, forms.Form):
            mizan = mizanFormMeta(name="audit", auth="staff")
            text = forms.CharField()

            def on_submit_success(self, request: Any) -> str:
                return "audited"

    def test_anonymous_is_refused_and_nothing_runs(self, post: GraphQL) -> None:
        submitted = post('mutation { diarySubmit(data: {text: "x"}) { ok } }').json()
        checked = post('query { diaryValidate(data: {text: "x"}) { ok } }').json()
        for body in (submitted, checked):
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert Message.objects.count() == 0

    def test_a_logged_in_user_submits(self, client: Client, post: GraphQL) -> None:
        client.force_login(User.objects.create_user("ada"))
        body = post('mutation { diarySubmit(data: {text: "hi"}) { ok result } }').json()
        assert body == {"data": {"diarySubmit": {"ok": True, "result": "saved"}}}
        assert Message.objects.get().text == "ada: hi"

    def test_a_non_staff_user_is_forbidden(self, client: Client, post: GraphQL) -> None:
        client.force_login(User.objects.create_user("ada"))
        body = post('mutation { auditSubmit(data: {text: "x"}) { ok } }').json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


class TestCsrf:
    """A browser session must send the CSRF token to submit a form."""

    def browser(self) -> Client:
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(User.objects.create_user("ada"))
        browser.cookies["csrftoken"] = "k" * 32
        return browser

    def send(self, browser: Client, **headers: Any) -> Any:
        return browser.post(
            "/api/mizan/graphql/",
            json.dumps({"query": 'mutation { noteSubmit(data: {text: "hi"}) { ok } }'}),
            content_type="application/json",
            **headers,
        )

    def test_without_the_token_nothing_is_submitted(self) -> None:
        response = self.send(self.browser())
        assert response.status_code == 403
        assert calls == [] and Message.objects.count() == 0

    def test_with_the_token_it_is(self) -> None:
        response = self.send(self.browser(), HTTP_X_CSRFTOKEN="k" * 32)
        assert response.json() == {"data": {"noteSubmit": {"ok": True}}}
        assert Message.objects.count() == 1

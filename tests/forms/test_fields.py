"""Every Django form field type maps to a GraphQL input type, and values of each type arrive
in the form as Django would have parsed them from a browser's post."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any

import pytest
from django import forms

from mizan.exceptions import RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from tests.app.models import Member
from tests.conftest import GraphQL

received: list[dict[str, Any]] = []


@pytest.fixture
def everything() -> type[forms.Form]:
    received.clear()

    class Everything(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="everything")
        text = forms.CharField(required=False)
        email = forms.EmailField(required=False)
        url = forms.URLField(required=False, assume_scheme="https")
        slug = forms.SlugField(required=False)
        count = forms.IntegerField(required=False)
        price = forms.DecimalField(required=False, max_digits=6, decimal_places=2)
        ratio = forms.FloatField(required=False)
        agree = forms.BooleanField(required=False)
        maybe = forms.NullBooleanField(required=False)
        day = forms.DateField(required=False)
        at = forms.DateTimeField(required=False)
        clock = forms.TimeField(required=False)
        ident = forms.UUIDField(required=False)
        extra = forms.JSONField(required=False)
        wait = forms.DurationField(required=False)
        color = forms.ChoiceField(required=False, choices=[("red", "Red"), ("green", "Green")])
        size = forms.TypedChoiceField(
            required=False, choices=[(1, "Small"), (2, "Medium")], coerce=int
        )
        tags = forms.MultipleChoiceField(required=False, choices=[("new", "New"), ("hot", "Hot")])
        member = forms.ModelChoiceField(Member.objects.all(), required=False)
        members = forms.ModelMultipleChoiceField(Member.objects.all(), required=False)
        upload = forms.FileField(required=False)
        picture = forms.ImageField(required=False)

        def on_submit_success(self, request: Any) -> dict[str, bool]:
            received.append(self.cleaned_data)
            return {"ok": True}

    return Everything


EVERYTHING_INPUT = '''\
"""The data of the everything form."""
input EverythingInput {
  text: String = null
  email: String = null
  url: String = null
  slug: String = null
  count: Int = null
  price: Decimal = null
  ratio: Float = null
  agree: Boolean = null
  maybe: Boolean = null
  day: Date = null
  at: DateTime = null
  clock: Time = null
  ident: UUID = null
  extra: JSON = null
  wait: String = null
  color: EverythingColorChoice = null
  size: String = null
  tags: [EverythingTagsChoice!] = null
  member: ID = null
  members: [ID!] = null
  upload: Upload = null
  picture: Upload = null
}'''


def test_every_field_type_has_its_graphql_type(everything: type[forms.Form]) -> None:
    sdl = get_schema().sdl()
    block = re.search(
        r'"""The data of the everything form\."""\ninput EverythingInput \{.*?\n\}', sdl, re.S
    )
    assert block is not None
    assert block.group(0) == EVERYTHING_INPUT
    assert "enum EverythingColorChoice {\n  red\n  green\n}" in sdl
    assert "enum EverythingTagsChoice {\n  new\n  hot\n}" in sdl
    assert "scalar Upload" in sdl


@pytest.mark.django_db
def test_values_reach_the_form_as_django_parses_them(
    everything: type[forms.Form], post: GraphQL
) -> None:
    ada = Member.objects.create(handle="ada", email="ada@example.com")
    bob = Member.objects.create(handle="bob", email="bob@example.com")
    data = {
        "text": "  hello  ",
        "email": "ada@example.com",
        "url": "example.com/x",
        "slug": "a-slug",
        "count": 3,
        "price": "12.50",
        "ratio": 0.25,
        "agree": True,
        "maybe": False,
        "day": "2024-02-29",
        "at": "2024-02-29T10:30:00+00:00",
        "clock": "10:30:00",
        "ident": "12345678-1234-5678-1234-567812345678",
        "extra": {"list": [1, "two"]},
        "wait": "1 02:00:00",
        "color": "green",
        "size": "2",
        "tags": ["new", "hot"],
        "member": str(ada.pk),
        "members": [str(ada.pk), str(bob.pk)],
    }
    body = post(
        "mutation($d: EverythingInput!) { everythingSubmit(data: $d) { ok errors { field messages } result } }",
        {"d": data},
    ).json()
    assert body == {
        "data": {"everythingSubmit": {"ok": True, "errors": [], "result": {"ok": True}}}
    }
    (cleaned,) = received
    assert cleaned["text"] == "hello"  # stripped, as a browser's post would be
    assert cleaned["url"] == "https://example.com/x"
    assert cleaned["count"] == 3
    assert cleaned["price"] == decimal.Decimal("12.50")
    assert cleaned["ratio"] == 0.25
    assert cleaned["agree"] is True and cleaned["maybe"] is False
    assert cleaned["day"] == datetime.date(2024, 2, 29)
    assert cleaned["at"] == datetime.datetime(2024, 2, 29, 10, 30, tzinfo=datetime.UTC)
    assert cleaned["clock"] == datetime.time(10, 30)
    assert cleaned["ident"] == uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert cleaned["extra"] == {"list": [1, "two"]}
    assert cleaned["wait"] == datetime.timedelta(days=1, hours=2)
    assert cleaned["color"] == "green"
    assert cleaned["size"] == 2  # TypedChoiceField's coerce ran
    assert cleaned["tags"] == ["new", "hot"]
    assert cleaned["member"] == ada
    assert list(cleaned["members"]) == [ada, bob]


@pytest.mark.django_db
def test_a_json_field_takes_a_plain_string_value(
    everything: type[forms.Form], post: GraphQL
) -> None:
    body = post(
        'mutation { everythingSubmit(data: {extra: "just text"}) { ok } }',
    ).json()
    assert body == {"data": {"everythingSubmit": {"ok": True}}}
    assert received[0]["extra"] == "just text"


@pytest.mark.django_db
def test_a_value_of_the_wrong_type_is_refused_by_graphql(
    everything: type[forms.Form], post: GraphQL
) -> None:
    body = post(
        "mutation($d: EverythingInput!) { everythingSubmit(data: $d) { ok } }",
        {"d": {"count": "three"}},
    ).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "count" in body["errors"][0]["message"]
    assert received == []


@pytest.mark.parametrize(
    ("choices", "graphql_type"),
    [
        ([("a", "A"), ("b", "B")], "PickWhichChoice"),
        ([("", "---------"), ("a", "A")], "PickWhichChoice"),  # the blank choice is null
        ([("Fruit", [("apple", "Apple")]), ("Veg", [("leek", "Leek")])], "PickWhichChoice"),
        ([(1, "One"), (2, "Two")], "String"),  # not names
        ([("a b", "A B")], "String"),
        ([("true", "Yes"), ("false", "No")], "String"),  # not allowed as enum values
        ([("mro", "M")], "String"),  # a name Python's Enum reserves
        ([("_private", "P")], "String"),
        ([("a", "A"), ("a", "Again")], "String"),
    ],
)
def test_choice_field_is_an_enum_only_when_its_values_are_names(
    choices: list[Any], graphql_type: str
) -> None:
    class Pick(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="pick")
        which = forms.ChoiceField(choices=choices)

        def on_submit_success(self, request: Any) -> None:
            return None

    assert f"  which: {graphql_type} = null\n" in get_schema().sdl()


def test_field_names_are_camel_cased_and_must_stay_distinct() -> None:
    class Names(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="names")
        first_name = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            return None

    assert "  firstName: String = null\n" in get_schema().sdl()


def test_two_fields_with_one_graphql_name_are_an_error(registry: Any) -> None:
    class Clash(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="clash")
        first_name = forms.CharField()
        firstName = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            return None

    with pytest.raises(
        RegistrationError,
        match=r"fields 'first_name' and 'firstName' would both be the GraphQL input field 'firstName'",
    ):
        get_schema()


@pytest.mark.django_db
def test_a_form_field_named_like_a_model_method_still_works(post: GraphQL) -> None:
    class Odd(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="odd")
        json = forms.CharField()
        copy = forms.IntegerField()

        def on_submit_success(self, request: Any) -> dict[str, Any]:
            return dict(self.cleaned_data)

    body = post('mutation { oddSubmit(data: {json: "j", copy: 2}) { result } }').json()
    assert body == {"data": {"oddSubmit": {"result": {"json": "j", "copy": 2}}}}


@pytest.mark.django_db
def test_a_prefixed_form_reads_its_data(post: GraphQL) -> None:
    class Prefixed(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="prefixed")
        prefix = "pre"
        word = forms.CharField()

        def on_submit_success(self, request: Any) -> str:
            return str(self.cleaned_data["word"])

    body = post('mutation { prefixedSubmit(data: {word: "w"}) { ok result } }').json()
    assert body == {"data": {"prefixedSubmit": {"ok": True, "result": "w"}}}

"""Forms whose ``__init__`` shapes them: ``get_form_kwargs``, fields added by
``__init__``, and ``mizan_role`` (which of the three functions runs)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client

from mizan.exceptions import RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db

roles: list[str | None] = []


@pytest.fixture(autouse=True)
def nickname() -> None:
    roles.clear()

    class NicknameForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="nickname", title="Nickname")

        def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.user = user
            # Added by __init__, as django-allauth's forms add fields by settings.
            self.fields["nickname"] = forms.CharField(max_length=12)

        @classmethod
        def get_form_kwargs(cls, request: Any) -> dict[str, Any]:
            return {"user": request.user if request is not None else None}

        def clean_nickname(self) -> str:
            roles.append(self.mizan_role)
            nickname = str(self.cleaned_data["nickname"])
            if self.mizan_role == "submit" and nickname == self.user.username:
                raise forms.ValidationError("Pick something other than your username.")
            return nickname

        def on_submit_success(self, request: Any) -> dict[str, str]:
            return {"for": self.user.username}


def test_fields_added_by_init_are_served(post: GraphQL) -> None:
    schema = post("{ nicknameSchema { fields { name required } } }").json()["data"]
    assert schema == {"nicknameSchema": {"fields": [{"name": "nickname", "required": True}]}}
    assert "input NicknameInput {\n  nickname: String = null\n}" in get_schema().sdl()


def test_the_constructor_gets_the_request_user_and_the_role() -> None:
    client = Client()
    client.force_login(User.objects.create_user("ada"))
    gql = GraphQL(client, "post")
    checked = gql('query { nicknameValidate(data: {nickname: "ada"}) { ok } }').json()["data"]
    assert checked == {"nicknameValidate": {"ok": True}}  # the costly rule waits for submit
    refused = gql(
        'mutation { nicknameSubmit(data: {nickname: "ada"}) { ok errors { field } } }'
    ).json()["data"]
    assert refused == {"nicknameSubmit": {"ok": False, "errors": [{"field": "nickname"}]}}
    done = gql('mutation { nicknameSubmit(data: {nickname: "lovelace"}) { result } }').json()
    assert done["data"] == {"nicknameSubmit": {"result": {"for": "ada"}}}
    assert roles == ["validate", "submit", "submit"]


def test_a_constructor_that_fails_at_start_up_names_the_fix() -> None:
    class StrictForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="strict", title="Strict")

        def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)

        def on_submit_success(self, request: Any) -> dict[str, bool]:
            return {}

    with pytest.raises(
        RegistrationError, match=r"StrictForm\(\*\*get_form_kwargs\(None\)\).*Override"
    ):
        get_schema()

"""Forms and contexts: a submit's ``affects=`` invalidates only when it succeeded, and a
form's schema is a public context of its own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django import forms
from django.http import HttpRequest
from django.test import Client

from mizan.client import client
from mizan.forms import mizanFormMeta, mizanFormMixin

pytestmark = pytest.mark.django_db(transaction=True)

SUBMIT = "mutation($d: RenameInput!) { renameSubmit(data: $d) { ok } }"


@pytest.fixture(autouse=True)
def rename_form() -> None:
    @client(context="user", public=True)
    def user_name(request, user_id: int) -> str:
        return "x"

    class RenameForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="rename", affects="user")
        user_id = forms.IntegerField()
        name = forms.CharField(min_length=2)

        def on_submit_success(self, request: HttpRequest) -> Any:
            return {"renamed": True}


def submit(client: Client, data: dict[str, Any]) -> Any:
    return client.post(
        "/api/mizan/graphql/",
        json.dumps({"query": SUBMIT, "variables": {"d": data}}),
        content_type="application/json",
    )


def test_a_successful_submit_invalidates_scoped_by_its_key_params(client: Client) -> None:
    response = submit(client, {"userId": 5, "name": "Ada"})
    assert response.json()["data"] == {"renameSubmit": {"ok": True}}
    assert response["X-Mizan-Invalidate"] == "user;user_id=5"  # the form's field user_id


def test_a_refused_submit_invalidates_nothing(client: Client) -> None:
    response = submit(client, {"userId": 5, "name": "A"})
    assert response.json()["data"] == {"renameSubmit": {"ok": False}}
    assert "X-Mizan-Invalidate" not in response
    assert "extensions" not in response.json()


def test_the_form_schema_is_a_public_context(client: Client) -> None:
    response = client.get("/api/mizan/q/RenameSchema/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    assert response["xkey"] == "rename_form"
    assert client.get("/api/mizan/q/RenameValidate/").status_code == 404  # never a GET URL

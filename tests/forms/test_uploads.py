"""File fields over the GraphQL multipart request spec: CSRF-checked, size-limited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import Client

from mizan.client import client as mizan_function
from mizan.forms import mizanFormMeta, mizanFormMixin

pytestmark = pytest.mark.django_db

received: list[tuple[str, bytes]] = []
TOKEN = "u" * 32

SUBMIT = """
mutation($d: ApplyInput!) { applySubmit(data: $d) { ok errors { field codes } result } }
"""


@pytest.fixture(autouse=True)
def apply_form() -> None:
    received.clear()

    class ApplyForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="apply")
        name = forms.CharField()
        resume = forms.FileField()
        photo = forms.FileField(required=False)

        def on_submit_success(self, request: Any) -> dict[str, Any]:
            upload = self.cleaned_data["resume"]
            received.append((upload.name, upload.read()))
            return {"size": upload.size}


def browser() -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["csrftoken"] = TOKEN
    return browser


def multipart(
    client: Client, query: str, variables: dict[str, Any], files: dict[str, Any], **headers: Any
) -> Any:
    """A GraphQL multipart request: ``files`` maps a variable path to its file."""
    body: dict[str, Any] = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({str(i): [path] for i, path in enumerate(files)}),
    }
    body.update({str(i): upload for i, upload in enumerate(files.values())})
    return client.post("/api/mizan/graphql/", body, **headers)


def test_an_upload_reaches_the_form(client: Client) -> None:
    response = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None}},
        {"variables.d.resume": SimpleUploadedFile("cv.txt", b"Analytical Engine")},
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {"applySubmit": {"ok": True, "errors": [], "result": {"size": 17}}}
    }
    assert received == [("cv.txt", b"Analytical Engine")]


def test_a_missing_required_file_is_a_field_error(post: Any) -> None:
    body = post(SUBMIT, {"d": {"name": "Ada"}}).json()
    assert body["data"]["applySubmit"]["errors"] == [{"field": "resume", "codes": ["required"]}]
    assert received == []


def test_an_empty_file_is_the_forms_error() -> None:
    response = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None}},
        {"variables.d.resume": SimpleUploadedFile("empty.txt", b"")},
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert response.json()["data"]["applySubmit"]["errors"] == [
        {"field": "resume", "codes": ["empty"]}
    ]


def test_a_multipart_post_needs_the_csrf_token() -> None:
    response = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None}},
        {"variables.d.resume": SimpleUploadedFile("cv.txt", b"x")},
    )
    assert response.status_code == 403
    assert received == []


def test_an_upload_over_the_limit_is_refused_before_anything_runs(settings: Any) -> None:
    settings.MIZAN = {"MAX_UPLOAD_SIZE": 2000}
    within = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None}},
        {"variables.d.resume": SimpleUploadedFile("cv.txt", b"x" * 1000)},
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert within.json()["data"]["applySubmit"]["ok"] is True
    over = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None}},
        {"variables.d.resume": SimpleUploadedFile("cv.txt", b"x" * 3000)},
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert over.status_code == 413
    assert over["Cache-Control"] == "no-store"
    error = over.json()["errors"][0]
    assert error["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "setting": "MAX_UPLOAD_SIZE",
        "limit": 2000,
    }
    assert "the limit is 2000 bytes" in error["message"]
    assert len(received) == 1  # only the first


def test_two_files_in_one_request() -> None:
    response = multipart(
        browser(),
        SUBMIT,
        {"d": {"name": "Ada", "resume": None, "photo": None}},
        {
            "variables.d.resume": SimpleUploadedFile("cv.txt", b"resume"),
            "variables.d.photo": SimpleUploadedFile("me.txt", b"photo"),
        },
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert response.json()["data"]["applySubmit"]["ok"] is True
    assert received == [("cv.txt", b"resume")]


def test_a_plain_function_can_take_an_upload_too() -> None:
    @mizan_function
    def count_bytes(request: Any, file: UploadedFile) -> int:
        return len(file.read())

    response = multipart(
        browser(),
        "mutation($f: Upload!) { countBytes(file: $f) }",
        {"f": None},
        {"variables.f": SimpleUploadedFile("a.bin", b"12345")},
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert response.json() == {"data": {"countBytes": 5}}

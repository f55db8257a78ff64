"""The example project's contact and profile forms, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

from tests.test_example_project import manage

SCRIPT = r"""
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from demo.models import ContactMessage, Profile

TOKEN = "f" * 32

def call(client, query, variables=None, **extra):
    body = {"query": query, "variables": variables or {}}
    return client.post("/api/mizan/graphql/", json.dumps(body),
                       content_type="application/json", HTTP_X_CSRFTOKEN=TOKEN, **extra).json()

visitor = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
page = visitor.get("/forms/")
assert page.status_code == 200, page.status_code
assert b'data-form="contact"' in page.content and b"Log in" in page.content
visitor.cookies["csrftoken"] = TOKEN

schema = visitor.get("/api/mizan/graphql/", {"query": "{ contactSchema { title fields { name type } } }"},
                     HTTP_ACCEPT="application/json").json()["data"]["contactSchema"]
assert schema["title"] == "Contact Us"
assert [f["name"] for f in schema["fields"]] == [
    "name", "email", "topic", "orderNumber", "message", "attachment"], schema

VALIDATE = ("query($d: ContactInput!, $f: [String!]) { contactValidate(data: $d, fields: $f) "
            "{ ok errors { field codes } nonFieldErrors } }")
draft = {"name": "Ada", "email": "ada@example.com", "topic": "billing", "message": "Where is my order?"}
checked = call(visitor, VALIDATE, {"d": draft})["data"]["contactValidate"]
assert checked == {"ok": False, "errors": [{"field": "orderNumber", "codes": [""]}],
                   "nonFieldErrors": []}, checked
only_email = call(visitor, VALIDATE, {"d": draft, "f": ["email"]})["data"]["contactValidate"]
assert only_email["ok"] is True, only_email
links = call(visitor, VALIDATE, {"d": {**draft, "orderNumber": 7, "message": "see https://x.io"}})
assert links["data"]["contactValidate"]["nonFieldErrors"] == ["Please leave links out of your message."]

operations = {"query": "mutation($d: ContactInput!) { contactSubmit(data: $d) "
                       "{ ok result { reference replyWithinDays } } }",
              "variables": {"d": {**draft, "orderNumber": 7, "attachment": None}}}
sent = visitor.post("/api/mizan/graphql/", {
    "operations": json.dumps(operations), "map": json.dumps({"0": ["variables.d.attachment"]}),
    "0": SimpleUploadedFile("invoice.txt", b"#7")}, HTTP_X_CSRFTOKEN=TOKEN).json()
stored = ContactMessage.objects.get()
assert sent == {"data": {"contactSubmit": {"ok": True, "result": {
    "reference": f"C-{stored.pk:05d}", "replyWithinDays": 1}}}}, sent
assert stored.attachment_name == "invoice.txt" and stored.order_number == 7

SUBMIT = ("mutation($d: ProfileInput!, $id: ID) { profileSubmit(data: $d, id: $id) "
          "{ ok errors { field codes } nonFieldErrors result } }")
denied = call(visitor, SUBMIT, {"d": {"handle": "ada", "displayName": "Ada"}})
assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", denied

user = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
assert user.login(username="demo", password="demo")
user.cookies["csrftoken"] = TOKEN
created = call(user, SUBMIT, {"d": {"handle": "demo", "displayName": "Demo"}})["data"]["profileSubmit"]
profile = Profile.objects.get()
assert created == {"ok": True, "errors": [], "nonFieldErrors": [],
                   "result": {"id": profile.pk, "handle": "demo"}}, created
again = call(user, SUBMIT, {"d": {"handle": "demo2", "displayName": "Demo"}})["data"]["profileSubmit"]
assert again["nonFieldErrors"] == ["You already have a profile: update it with its id."], again
updated = call(user, SUBMIT, {"d": {"handle": "demo", "displayName": "Demo!", "bio": "Hi"},
                              "id": str(profile.pk)})["data"]["profileSubmit"]
assert updated["ok"] is True, updated
profile.refresh_from_db()
assert (profile.display_name, profile.bio) == ("Demo!", "Hi")
assert b'data-form="profile"' in user.get("/forms/").content

from django.contrib.auth import get_user_model
other = get_user_model().objects.create_user("eve", password="eve")
eve = Client(HTTP_HOST="localhost")
assert eve.login(username="eve", password="eve")
eve.cookies["csrftoken"] = TOKEN
taken = call(eve, SUBMIT, {"d": {"handle": "demo", "displayName": "Eve"}})["data"]["profileSubmit"]
assert taken["errors"] == [{"field": "handle", "codes": ["unique"]}], taken
not_hers = call(eve, SUBMIT, {"d": {"handle": "eve", "displayName": "Eve"}, "id": str(profile.pk)})
assert not_hers["errors"][0]["extensions"]["code"] == "NOT_FOUND", not_hers
print("forms ok")
"""


def test_example_contact_and_profile_forms(tmp_path: Path) -> None:
    assert manage("migrate", "--noinput", tmp_path=tmp_path).returncode == 0
    assert manage("seed_demo", tmp_path=tmp_path).returncode == 0
    result = manage("shell", "-c", SCRIPT, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "forms ok" in result.stdout

"""The example project, run as a user runs it: its own settings, in its own process."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.example import ROOT, example_env, run_manage


def manage(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run_manage(example_env(tmp_path), *args)


def test_committed_schema_graphql_is_fresh(tmp_path: Path) -> None:
    result = manage(
        "export_graphql_schema", "--check", str(ROOT / "schema.graphql"), tmp_path=tmp_path
    )
    assert result.returncode == 0, (
        "schema.graphql is stale: run `make schema` and commit it.\n" + result.stderr
    )


def test_committed_client_is_fresh(tmp_path: Path) -> None:
    output = str(ROOT / "js" / "example" / "src" / "mizan")
    result = manage("export_client", "--output", output, "--check", tmp_path=tmp_path)
    assert result.returncode == 0, (
        "js/example/src/mizan is stale: run `make client` and commit it.\n" + result.stderr
    )


def test_system_checks_pass(tmp_path: Path) -> None:
    result = manage("check", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


SCRIPT = r"""
import json
from django.test import Client

def call(client, query, variables=None):
    body = {"query": query, "variables": variables or {}}
    return client.post("/api/mizan/graphql/", json.dumps(body),
                       content_type="application/json").json()

anonymous = Client(HTTP_HOST="localhost")
assert call(anonymous, 'mutation { echo(text: "hi") { message } }') == {
    "data": {"echo": {"message": "hi"}}}
greeting = call(anonymous, '{ greeting(name: "Ada", language: AR) { text language } }')
assert greeting == {"data": {"greeting": {"text": "Marhaba, Ada!", "language": "AR"}}}, greeting
assert call(anonymous, "{ currentUser { username } }") == {"data": {"currentUser": None}}
denied = call(anonymous, "{ notes { text } }")
assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", denied

user = Client(HTTP_HOST="localhost")
assert user.login(username="demo", password="demo")
token = "t" * 32
user.cookies["csrftoken"] = token
def write(text):
    return user.post("/api/mizan/graphql/", json.dumps({
        "query": "mutation($n: NewNoteInput!) { addNote(note: $n) { text } }",
        "variables": {"n": {"text": text}}}),
        content_type="application/json", HTTP_X_CSRFTOKEN=token).json()
first = write("second")
assert first["data"] == {"addNote": {"text": "second"}}, first
again = write("second")
assert again["errors"][0]["extensions"]["code"] == "DUPLICATE_NOTE", again
assert write("")["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
notes = call(user, "{ notes(limit: 5) { text } }")
assert notes == {"data": {"notes": [{"text": "second"}, {"text": "Welcome to mizan."}]}}, notes
assert call(user, "{ serverStats { users notes } }") == {
    "data": {"serverStats": {"users": 1, "notes": 2}}}
from mizan import graphiql
page = Client(HTTP_HOST="localhost").get("/api/mizan/graphql/", HTTP_ACCEPT="text/html")
assert page.status_code == (200 if graphiql.built() else 503), page.status_code
assert b"graphiql" in page.content.lower()

# The context cycle: a cached public profile, a rename that invalidates exactly it.
demo_id = call(user, "{ currentUser { id } }")["data"]["currentUser"]["id"]
profile = "query($id: Int!) { userProfile(userId: $id) { displayName noteCount } }"
assert call(anonymous, profile, {"id": demo_id}) == {
    "data": {"userProfile": {"displayName": "demo", "noteCount": 2}}}
renamed = user.post("/api/mizan/graphql/", json.dumps({
    "query": "mutation($id: Int!) { rename(userId: $id, name: \"Demo D.\") { displayName } }",
    "variables": {"id": demo_id}}), content_type="application/json", HTTP_X_CSRFTOKEN=token)
assert renamed["X-Mizan-Invalidate"] == f"user;user_id={demo_id}", renamed.headers
assert renamed.json()["extensions"]["invalidate"] == [
    {"context": "user", "params": {"user_id": demo_id}}]
assert call(anonymous, profile, {"id": demo_id})["data"]["userProfile"]["displayName"] == "Demo D."
assert write("third")["data"]["addNote"]["text"] == "third"  # invalidate_on(Note, ...)
assert call(anonymous, profile, {"id": demo_id})["data"]["userProfile"]["noteCount"] == 3
page = user.get(f"/profile/{demo_id}/")
assert page.status_code == 200 and b"Demo D." in page.content
home = user.get("/")
assert b'<script id="mizan-global" type="application/json">' in home.content
assert b'"username": "demo"' in home.content
print("demo ok")
"""


def test_demo_functions_end_to_end(tmp_path: Path) -> None:
    assert manage("migrate", "--noinput", tmp_path=tmp_path).returncode == 0
    seeded = manage("seed_demo", tmp_path=tmp_path)
    assert "GraphiQL:  http://127.0.0.1:8000/api/mizan/graphql/" in seeded.stdout
    result = manage("shell", "-c", SCRIPT, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo ok" in result.stdout

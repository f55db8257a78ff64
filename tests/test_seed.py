"""The seed README's snippets, verbatim: the public API users already write against."""

from __future__ import annotations

import json

import pytest
from django.test import Client

SEED_SNIPPET = """
from mizan.client import client
from mizan.setup.registry import register
from pydantic import BaseModel
class Output(BaseModel):
    message: str
@client
def echo(request, text: str) -> Output:
    return Output(message=text)
register(echo, "echo")
"""

SEED_AUTH = """
from mizan.client import client
@client(auth=True) # requires authentication
def a(request) -> bool: return True
@client(auth='staff') # requires is_staff
def b(request) -> bool: return True
@client(auth='superuser') # requires is_superuser
def c(request) -> bool: return True
my_callable = lambda request: True
@client(auth=my_callable) # custom check
def d(request) -> bool: return True
"""


def run(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "seed_snippet"}
    exec(compile(source, "seed_snippet.py", "exec"), namespace)
    return namespace


@pytest.mark.django_db
def test_seed_echo_snippet_runs_and_answers(client: Client) -> None:
    run(SEED_SNIPPET)
    response = client.post(
        "/api/mizan/graphql/",
        json.dumps({"query": 'mutation { echo(text: "hi") { message } }'}),
        content_type="application/json",
    )
    assert response.json() == {"data": {"echo": {"message": "hi"}}}


def test_seed_auth_snippet_registers_four_functions(registry) -> None:  # type: ignore[no-untyped-def]
    run(SEED_AUTH)
    assert sorted(d.name for d in registry) == ["a", "b", "c", "d"]


def test_seed_import_paths() -> None:
    import mizan
    import mizan.urls
    from mizan.client import client
    from mizan.setup.registry import register

    assert client is mizan.client and register is mizan.register  # re-exports (test_public_api)
    assert mizan.urls.urlpatterns

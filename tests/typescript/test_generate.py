"""``export_client``: what the generated client holds, that it is deterministic, and that
its names are the seed's and never clash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.core.management import CommandError, call_command
from django.test import Client
from pydantic import BaseModel

from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.forms import mizanFormMeta, mizanFormMixin
from mizan.schema import get_schema
from mizan.setup.registry import get_registry, use_registry
from mizan.typescript import generate_client, stale_files

pytestmark = pytest.mark.django_db


class Profile(BaseModel):
    name: str


class Me(BaseModel):
    id: int


def functions() -> None:
    @client(context="global")
    def current_user(request) -> Me | None:
        return None

    @client(context="user", public=True)
    def user_profile(request, user_id: int) -> Profile:
        return Profile(name=f"user {user_id}")

    @client(context="user")
    def user_notes(request, user_id: int, limit: int = 5) -> list[str]:
        return [f"note {i}" for i in range(limit)]

    @client(read_only=True)
    def greeting(request, name: str = "world") -> str:
        return f"Hello, {name}!"

    @client(affects="user")
    def rename(request, user_id: int, name: str) -> Profile:
        return Profile(name=name)


def generate(runtime: str | None = "@mizan/runtime") -> dict[str, str]:
    registry = get_registry()
    return generate_client(get_schema(registry), registry, runtime)


def test_the_seed_names() -> None:
    functions()
    index = generate()["index.ts"]
    assert "export function MizanProvider(props: ProviderProps)" in index
    assert "export function useCurrentUser(): UseQueryResult<T.Me | null," in index
    assert "export function UserProvider(props: { userId: T.Int; children?: ReactNode })" in index
    assert "export function useUserProfile(): UseQueryResult<T.Profile," in index
    assert "export function useUserNotes(variables?: { limit?: T.Int })" in index
    assert "export function useGreeting(variables?: { name?: T.String })" in index
    assert (
        "export function useRename(): UseMutationResult<T.Profile, MizanRequestError, "
        "{ name: T.String; userId: T.Int }>" in index
    )


def test_queries_are_the_servers_persisted_operations() -> None:
    functions()
    operations = generate()["operations.ts"]
    compiled = get_schema()
    for name, path in (("UserContext", "ctx/user/"), ("Greeting", "q/Greeting/")):
        text = compiled.operations[name].text
        assert f"document: {json.dumps(text)}" in operations
        assert f'path: "{path}"' in operations
    assert '["limit", "limit", "Int!", 5]' in operations  # the default a URL omits
    assert f'hash: "{compiled.hash}"' in operations


def test_generation_is_deterministic() -> None:
    functions()
    assert generate(None) == generate(None)
    assert set(generate(None)) >= {"runtime/index.ts", "runtime/client.ts"}
    assert not any(path.startswith("runtime/") for path in generate())


def test_the_persisted_documents_are_what_is_not_a_get_url(settings: Any, tmp_path: Path) -> None:
    functions()
    documents = json.loads(generate()["persisted-documents.json"])
    assert [text.split("(")[0] for text in documents.values()] == ["mutation Rename"]
    # A trusted-only server loads them and runs the generated client's mutation unchanged.
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(documents))
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path), "TRUSTED_DOCUMENTS_ONLY": True}
    text = next(iter(documents.values()))
    body = {"query": text, "variables": {"user_id": 5, "name": "Ada"}}
    with use_registry():  # the same functions, compiled with the documents
        functions()
        response = Client().post(
            "/api/mizan/graphql/", json.dumps(body), content_type="application/json"
        )
        assert response.json()["data"] == {"rename": {"name": "Ada"}}, response.json()
        edited = {**body, "query": text.replace("name }", "name  }")}
        refused = Client().post(
            "/api/mizan/graphql/", json.dumps(edited), content_type="application/json"
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"


def test_a_function_named_like_a_forms_hook_is_an_error_naming_both() -> None:
    @client(read_only=True)
    def contact_form(request) -> str:
        return ""

    class ContactForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="contact", title="Contact")
        name = forms.CharField()

        def on_submit_success(self, request: Any) -> None:
            pass

    with pytest.raises(RegistrationError) as error:
        generate()
    message = str(error.value)  # refused when the schema is built (mizan.naming.check_names)
    assert "'useContactForm'" in message
    assert "'contact_form'" in message and "form 'contact'" in message


def test_a_context_named_mizan_is_an_error() -> None:
    @client(context="mizan")
    def settings_page(request, key: str) -> str:
        return key

    with pytest.raises(RegistrationError, match=r"'MizanProvider'.*context 'mizan'"):
        generate()


def test_export_client_writes_and_checks(tmp_path: Path) -> None:
    functions()
    call_command("export_client", "--output", str(tmp_path))
    assert (tmp_path / "runtime" / "react.ts").is_file()
    call_command("export_client", "--output", str(tmp_path), "--check")
    (tmp_path / "index.ts").write_text("// edited\n")
    (tmp_path / "old.ts").write_text("")
    with pytest.raises(CommandError, match=r"is stale \(index.ts, old.ts\)"):
        call_command("export_client", "--output", str(tmp_path), "--check")
    call_command("export_client", "--output", str(tmp_path))
    assert not stale_files(generate(None), tmp_path)


def test_the_bindings_import_only_what_they_use() -> None:
    @client
    def echo(request, text: str) -> str:
        return text

    index = generate()["index.ts"]
    assert 'import type { UseMutationResult } from "@tanstack/react-query";' in index
    for unused in ("UseQueryResult", "FormState", "Channel", "./forms"):
        assert unused not in index


def test_a_live_global_context_is_followed_by_mizan_provider_live() -> None:
    @client(context="global", live=True)
    def current_user(request) -> Me | None:
        return None

    @client(context="user", live=True)
    def user_profile(request, user_id: int) -> Profile:
        return Profile(name=f"user {user_id}")

    files = generate()
    index, operations = files["index.ts"], files["operations.ts"]
    assert (
        "export function MizanProvider(props: ProviderProps & { live?: boolean }): ReactNode {\n"
        "  const live = props.live ? ops.GlobalContextLive : undefined;\n"
        "  return createElement(mizan.MizanProvider, { ...props, schema: ops.schema, live });\n"
        in index
    )
    assert "follows its subscription (globalContext) instead of being fetched" in index
    assert 'name: "GlobalContextLive",\n  kind: "subscription",\n  field: "globalContext",' in (
        operations
    )
    # The global context's hooks are MizanProvider's, as without live: no GlobalProvider.
    assert "GlobalProvider" not in index
    assert "export function UserProvider(props: { userId: T.Int; live?: boolean;" in index


def test_mizan_provider_takes_live_only_when_the_global_context_is_live() -> None:
    functions()
    files = generate()
    assert "export function MizanProvider(props: ProviderProps): ReactNode" in files["index.ts"]
    assert "GlobalContextLive" not in files["index.ts"] + files["operations.ts"]

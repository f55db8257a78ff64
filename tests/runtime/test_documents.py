from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import BaseModel

from mizan.client import client
from mizan.runtime import MizanContext, engine, get_runtime
from mizan.runtime.documents import DocumentCache
from mizan.setup.registry import use_registry
from tests.conftest import GraphQL

pytestmark = pytest.mark.django_db


class Node(BaseModel):
    name: str
    child: Node | None = None


ran: list[str] = []


@pytest.fixture(autouse=True)
def functions() -> None:
    ran.clear()

    @client(read_only=True)
    def tree(request, name: str = "a") -> Node:
        ran.append(name)
        return Node(name=name, child=Node(name="b"))


def counting_validate(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    validated: list[str] = []
    real = engine.validate

    def validate(schema: Any, document: Any, rules: Any) -> Any:
        validated.append(document.loc.source.body)
        return real(schema, document, rules)

    monkeypatch.setattr(engine, "validate", validate)
    return validated


def test_a_repeated_document_is_validated_once(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = counting_validate(monkeypatch)
    query = "query($n: String) { tree(name: $n) { name } }"
    for name in "xyz":
        assert gql(query, {"n": name}).json() == {"data": {"tree": {"name": name}}}
    assert validated == [query]
    assert ran == ["x", "y", "z"]


def test_the_cache_is_keyed_by_the_whole_text(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = counting_validate(monkeypatch)
    gql("{ tree { name } }")
    gql("{ tree { name } }")
    gql("{ tree  { name } }")  # one space more is another document
    assert validated == ["{ tree { name } }", "{ tree  { name } }"]


def test_a_changed_document_is_validated_again(gql: GraphQL) -> None:
    assert gql("{ tree { name } }").json() == {"data": {"tree": {"name": "a"}}}
    body = gql("{ tree { name secret } }").json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "secret" in body["errors"][0]["message"]
    assert ran == ["a"]


def test_limits_hold_for_a_cached_document(gql: GraphQL, settings: Any) -> None:
    settings.MIZAN = {"MAX_DEPTH": 2}
    with use_registry():

        @client(read_only=True)
        def deep(request) -> Node:
            ran.append("deep")
            return Node(name="a")

        query = "{ deep { child { child { name } } } }"
        first, second = gql(query).json(), gql(query).json()
        assert query in get_runtime().documents
    assert first == second
    assert "depth" in second["errors"][0]["message"]
    assert second["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert ran == []


def test_each_schema_has_its_own_cache(gql: GraphQL) -> None:
    query = "{ tree { name } }"
    assert gql(query).json() == {"data": {"tree": {"name": "a"}}}
    with use_registry():

        @client(read_only=True)
        def other(request) -> str:
            return "other"

        body = gql(query).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_parse_error_is_cached_with_its_code(gql: GraphQL) -> None:
    for _ in range(2):
        (error,) = gql("{ tree {").json()["errors"]
        assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        assert error["locations"] == [{"line": 1, "column": 9}]


class TestDocumentCache:
    def cache(self, **bounds: int) -> tuple[DocumentCache, list[str]]:
        prepared: list[str] = []

        def prepare(text: str) -> Any:
            prepared.append(text)
            return object()

        return DocumentCache(prepare, **bounds), prepared

    def test_a_hit_returns_the_prepared_document(self) -> None:
        cache, prepared = self.cache(max_entries=4)
        assert cache.get("{ a }") is cache.get("{ a }")
        assert prepared == ["{ a }"]
        assert (cache.hits, cache.misses) == (1, 1)

    def test_bounded_in_entries_least_recently_used_goes_first(self) -> None:
        cache, prepared = self.cache(max_entries=2)
        cache.get("{ a }")
        cache.get("{ b }")
        cache.get("{ a }")  # now b is the least recently used
        cache.get("{ c }")
        assert len(cache) == 2
        assert "{ a }" in cache and "{ c }" in cache and "{ b }" not in cache
        cache.get("{ b }")
        assert prepared == ["{ a }", "{ b }", "{ c }", "{ b }"]

    def test_bounded_in_characters(self) -> None:
        cache, prepared = self.cache(max_entries=100, max_characters=20)
        for text in ("{ aaaa }", "{ bbbb }", "{ cccc }"):  # 8 characters each
            cache.get(text)
        assert cache.characters == 16
        assert "{ aaaa }" not in cache
        long = "{ " + "x" * 30 + " }"
        cache.get(long)
        cache.get(long)  # served both times, never kept
        assert long not in cache
        assert prepared.count(long) == 2
        assert cache.characters <= 20

    def test_size_zero_keeps_nothing(self) -> None:
        cache, prepared = self.cache(max_entries=0)
        cache.get("{ a }")
        cache.get("{ a }")
        assert len(cache) == 0
        assert prepared == ["{ a }", "{ a }"]

    def test_the_setting_sizes_the_schema_cache(self, settings: Any) -> None:
        settings.MIZAN = {"DOCUMENT_CACHE_SIZE": 3}
        with use_registry():

            @client(read_only=True)
            def ping(request) -> bool:
                return True

            assert get_runtime().documents.max_entries == 3


class TestExecution:
    def test_an_async_function_on_the_sync_path_is_awaited(self, rf: Any) -> None:
        @client(read_only=True)
        async def later(request) -> str:
            return "awaited"

        result = get_runtime().execute_sync(MizanContext(request=rf.get("/")), "{ later }")
        assert result.data == {"later": "awaited"}
        assert not result.errors

    async def test_an_async_function_on_the_async_path(self, rf: Any) -> None:
        @client(read_only=True)
        async def later(request) -> str:
            return "awaited"

        context = MizanContext(request=rf.get("/"), is_async=True)
        result = await get_runtime().execute(context, "{ later }")
        assert result.data == {"later": "awaited"}

    def test_an_exception_escaping_graphql_core_is_masked_and_logged(
        self, rf: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret")

        runtime = get_runtime()
        monkeypatch.setattr(engine, "execute", broken)
        with caplog.at_level(logging.ERROR, logger="mizan"):
            result = runtime.execute_sync(MizanContext(request=rf.get("/")), "{ tree { name } }")
        assert result.data is None
        assert result.errors and result.errors[0].message == "Internal server error."
        assert result.errors[0].extensions == {"code": "INTERNAL_SERVER_ERROR"}
        (record,) = [r for r in caplog.records if r.name == "mizan"]
        assert record.exc_info and "secret" in str(record.exc_info[1])

"""A value read through a persisted URL and the same value written by a mutation are one
scope: the cache, the header and the surrogate keys spell it the same way."""

from __future__ import annotations

import decimal
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from mizan import invalidate
from mizan.client import client
from tests.conftest import GraphQL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

calls: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()

    @client(context="price", public=True, ttl=120)
    def price(request, amount: decimal.Decimal) -> str:
        calls[str(amount)] += 1
        return f"price {amount}"

    @client(affects="price")
    def set_price(request, amount: decimal.Decimal) -> bool:
        return True


def read(client: Client, amount: str) -> Any:
    return client.get(f"/api/mizan/ctx/price/?amount={amount}")


def test_a_mutation_with_another_spelling_invalidates_the_url_scope(
    client: Client, post: GraphQL
) -> None:
    first = read(client, "1.5")
    assert first.status_code == 200 and first["xkey"] == "price price;amount=1.5"
    read(client, "1.5")
    assert calls["1.5"] == 1  # the second read was a hit
    written = post('mutation { setPrice(amount: "1.50") }')
    assert written.json()["data"] == {"setPrice": True}
    assert written["X-Mizan-Invalidate"] == 'price;amount="1.5"'
    assert written.json()["extensions"]["invalidate"] == [
        {"context": "price", "params": {"amount": "1.5"}}
    ]
    read(client, "1.5")
    assert calls["1.5"] == 2  # stale no longer


def test_invalidate_with_a_decimal_reaches_the_url_scope(client: Client) -> None:
    read(client, "2.5")
    invalidate("price", amount=decimal.Decimal("2.500"))
    read(client, "2.5")
    assert calls["2.5"] == 2


def test_the_graphql_endpoint_shares_the_scope(client: Client, post: GraphQL) -> None:
    spellings = ("3.10", "3.1", "3.100")
    for spelling in spellings:
        assert post(f'{{ price(amount: "{spelling}") }}').status_code == 200
    read(client, "3.1")
    before = sum(calls.values())
    post('mutation { setPrice(amount: "3.1000") }')
    for spelling in spellings:
        post(f'{{ price(amount: "{spelling}") }}')
    read(client, "3.1")
    assert sum(calls.values()) - before == len(spellings)  # every cached spelling refreshed


def test_a_value_past_the_bounds_invalidates_the_whole_context(
    client: Client, post: GraphQL
) -> None:
    read(client, "4")
    written = post('mutation { setPrice(amount: "1e100000") }')
    assert written.json()["data"] == {"setPrice": True}
    assert written["X-Mizan-Invalidate"] == "price"
    read(client, "4")
    assert calls["4"] == 2

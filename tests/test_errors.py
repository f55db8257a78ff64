from __future__ import annotations

import logging
from typing import Annotated, Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pydantic import BaseModel, Field

from mizan.client import client
from mizan.exceptions import ClientError
from tests.conftest import GraphQL

ran: list[Any] = []


class Address(BaseModel):
    postcode: Annotated[str, Field(min_length=4)]


class Person(BaseModel):
    first_name: str
    age: Annotated[int, Field(gt=0)]
    address: Address | None = None


@pytest.fixture(autouse=True)
def functions() -> None:
    ran.clear()

    @client(read_only=True)
    def greet(request, person: Person, times: Annotated[int, Field(le=3)] = 1) -> str:
        ran.append(person)
        return f"hi {person.first_name}" * times

    @client(read_only=True)
    def boom(request) -> str:
        raise RuntimeError("secret database password in here")

    @client(read_only=True)
    def full(request) -> str:
        raise ClientError("The room is full.", code="ROOM_FULL", extensions={"capacity": 3})

    @client(read_only=True)
    def denied(request) -> str:
        raise PermissionDenied

    @client(read_only=True)
    def invalid(request) -> str:
        raise ValidationError({"name": ["Taken."]})


def only_error(response: Any) -> dict[str, Any]:
    body = response.json()
    (first,) = body["errors"]
    return first


QUERY = "query($p: PersonInput!, $n: Int) { greet(person: $p, times: $n) }"


def test_constraint_violation_names_argument_and_field_path(gql: GraphQL) -> None:
    first = only_error(gql(QUERY, {"p": {"firstName": "a", "age": 0}}))
    assert first["extensions"]["code"] == "BAD_USER_INPUT"
    assert first["extensions"]["argument"] == "person"
    assert first["extensions"]["problems"][0]["path"] == ["person", "age"]
    assert "person.age" in first["message"]
    assert first["path"] == ["greet"]
    assert ran == []


def test_nested_field_path_uses_graphql_names(gql: GraphQL) -> None:
    first = only_error(
        gql(QUERY, {"p": {"firstName": "a", "age": 3, "address": {"postcode": "1"}}})
    )
    assert first["extensions"]["problems"][0]["path"] == ["person", "address", "postcode"]
    assert ran == []


def test_scalar_argument_constraint(gql: GraphQL) -> None:
    first = only_error(gql(QUERY, {"p": {"firstName": "a", "age": 3}, "n": 9}))
    assert first["extensions"]["argument"] == "times"
    assert ran == []


def test_wrong_type_in_variables_is_bad_user_input(gql: GraphQL) -> None:
    first = only_error(gql(QUERY, {"p": {"firstName": 5, "age": 3}}))
    assert first["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$p" in first["message"] and "firstName" in first["message"]
    assert ran == []


def test_a_valid_call_runs(gql: GraphQL) -> None:
    assert gql(QUERY, {"p": {"firstName": "Ada", "age": 3}}).json() == {"data": {"greet": "hi Ada"}}


def test_unexpected_exception_is_masked_and_logged(
    gql: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        first = only_error(gql("{ boom }"))
    assert first["message"] == "Internal server error."
    assert first["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(first)
    (record,) = [r for r in caplog.records if r.name == "mizan"]
    assert "boom" in record.getMessage()
    assert record.exc_info and "secret database password" in str(record.exc_info[1])


def test_debug_shows_the_exception(gql: GraphQL, settings: Any) -> None:
    settings.DEBUG = True
    assert "RuntimeError: secret" in only_error(gql("{ boom }"))["message"]


def test_client_error_reaches_the_client_with_its_code(gql: GraphQL) -> None:
    first = only_error(gql("{ full }"))
    assert first["message"] == "The room is full."
    assert first["extensions"] == {"code": "ROOM_FULL", "capacity": 3}


def test_django_permission_denied_and_validation_error(gql: GraphQL) -> None:
    assert only_error(gql("{ denied }"))["extensions"]["code"] == "FORBIDDEN"
    invalid = only_error(gql("{ invalid }"))
    assert invalid["extensions"] == {"code": "BAD_USER_INPUT", "fields": {"name": ["Taken."]}}


def test_syntax_and_validation_errors_have_codes(gql: GraphQL) -> None:
    assert only_error(gql("{ greet("))["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert only_error(gql("{ nope }"))["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

"""``mizan.execute`` and ``mizan.aexecute`` with hostile shapes: server code gets the
limits and the error step a client gets (its documents are trusted, not unlimited),
and a mistake in Python types is a ``TypeError`` at the call."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import RequestFactory
from pydantic import BaseModel, computed_field

from mizan import aexecute, client, execute
from mizan.runtime import Result
from tests.test_hostile import SHAPES, fragment_dag, nested_list, register_targets

pytestmark = pytest.mark.django_db


class Broken(BaseModel):
    @computed_field  # type: ignore[prop-decorator]
    @property
    def secret(self) -> str:
        raise RuntimeError("db password is hunter2")


@pytest.fixture(autouse=True)
def functions(settings: Any) -> None:
    settings.DEBUG = False
    register_targets()

    @client(read_only=True)
    def broken(request) -> Broken:
        return Broken()

    @client(read_only=True, auth=True)
    def whoami(request) -> str:
        return request.user.get_username()


Run = Callable[..., Result]


def run_sync(query: Any, variables: Any = None, operation_name: Any = None) -> Result:
    return execute(RequestFactory().post("/"), query, variables, operation_name)


def run_async(query: Any, variables: Any = None, operation_name: Any = None) -> Result:
    return async_to_sync(aexecute)(RequestFactory().post("/"), query, variables, operation_name)


@pytest.fixture(params=[run_sync, run_async], ids=["execute", "aexecute"])
def run(request: pytest.FixtureRequest) -> Run:
    return request.param  # type: ignore[no-any-return]


def codes(result: Result) -> list[str]:
    return [e.formatted["extensions"]["code"] for e in result.errors or []]


@pytest.mark.parametrize(
    ("shape", "query", "variables", "code"), SHAPES, ids=[s[0] for s in SHAPES]
)
def test_each_hostile_shape_is_refused_as_over_http(
    run: Run, shape: str, query: str, variables: Any, code: str
) -> None:
    result = run(query, variables)
    assert result.data is None
    assert codes(result) == [code]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{ __typename } #" + "x" * 2_000_000, "DOCUMENT_TOO_LARGE"),
        ("{ tree { name }", "GRAPHQL_PARSE_FAILED"),
        ('{ echo(text: "unterminated) }', "GRAPHQL_PARSE_FAILED"),
        ("{ " * 5000 + " }" * 5000, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("", "BAD_REQUEST"),
    ],
    ids=["2 MB", "unclosed", "unterminated string", "5,000 deep", "unknown field", "empty"],
)
def test_a_malformed_document_is_a_graphql_error(run: Run, document: str, code: str) -> None:
    result = run(document)
    assert result.data is None
    assert codes(result) == [code]


def test_the_limits_name_their_setting(run: Run) -> None:
    [error] = run(fragment_dag(40)).errors or []
    assert error.extensions == {
        "code": "TOO_MANY_SELECTIONS",
        "setting": "MAX_SELECTIONS",
        "limit": 1000,
    }


ECHO = "query($t: String!) { echo(text: $t) }"


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"t": nested_list(5000)}, "VARIABLES_TOO_DEEP"),  # Python objects: no JSON parser
        ({"t": {"a": nested_list(30)}}, "VARIABLES_TOO_DEEP"),
        ({"t": 5}, "BAD_USER_INPUT"),
        ({"t": object()}, "BAD_USER_INPUT"),
        ({}, "BAD_USER_INPUT"),
    ],
    ids=["5,000 deep", "30 deep in an object", "an Int", "an object", "missing"],
)
def test_bad_variables_are_graphql_errors(run: Run, variables: Any, code: str) -> None:
    result = run(ECHO, variables)
    assert result.data is None
    assert codes(result) == [code]


def test_cyclic_variables_are_refused_not_walked_forever(run: Run) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    assert codes(run(ECHO, {"t": cycle})) == ["VARIABLES_TOO_DEEP"]


def test_huge_flat_variables_run(run: Run) -> None:
    # No body carries them: only their nesting is limited.
    assert run(ECHO, {"t": "a" * 2_000_000}).data == {"echo": "a" * 2_000_000}


def test_the_error_step_masks_and_logs_once(run: Run, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="mizan"):
        result = run("{ broken { secret } }")
    [error] = result.errors or []
    assert error.formatted["message"] == "Internal server error."
    assert error.formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "hunter2" not in json.dumps(result.formatted)
    [record] = [r for r in caplog.records if r.name == "mizan"]
    assert "broken.secret" in record.getMessage()


def test_an_unknown_operation_name_is_a_bad_request(run: Run) -> None:
    result = run("query A { __typename } query B { __typename }", None, "C")
    assert codes(result) == ["BAD_REQUEST"]
    assert result.errors and result.errors[0].message == 'Unknown operation named "C".'


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((5,), r"mizan.a?execute\(\): query must be a str \(a GraphQL document\), not int."),
        ((None,), r"query must be a str \(a GraphQL document\), not NoneType."),
        ((b"{ a }",), r"query must be a str \(a GraphQL document\), not bytes."),
        (("{ __typename }", [1]), r"variables must be a dict or None, not list."),
        (("{ __typename }", '{"t": 1}'), r"variables must be a dict or None, not str."),
        (("{ __typename }", None, 5), r"operation_name must be a str or None, not int."),
    ],
)
def test_a_python_type_mistake_is_a_type_error(
    run: Run, arguments: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        run(*arguments)


def test_a_request_no_authentication_middleware_saw_is_anonymous(run: Run) -> None:
    # RequestFactory's request has no .user: auth= refuses it as for an anonymous
    # client (it was a masked internal error, the check reading a missing attribute).
    result = run("{ whoami }")
    assert codes(result) == ["UNAUTHENTICATED"], result.errors

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from mizan.client import client
from mizan.definitions import Kind
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema
from mizan.setup.registry import Registry, register


class Output(BaseModel):
    message: str


def test_bare_decorator_registers_under_python_name(registry: Registry) -> None:
    @client
    def echo(request, text: str) -> Output:
        return Output(message=text)

    (definition,) = registry
    assert definition.name == "echo"
    assert definition.kind is Kind.MUTATION
    assert definition.params[0].name == "text"
    assert definition.source.qualname.endswith("echo")


def test_register_after_client_renames_rather_than_duplicates(registry: Registry) -> None:
    @client(read_only=True)
    def helper(request) -> Output:
        return Output(message="x")

    register(helper, "contact.schema")
    assert [d.name for d in registry] == ["contact.schema"]
    assert registry.get("contact.schema").kind is Kind.QUERY
    assert registry.get("contact.schema").field_name == "contactSchema"
    assert registry.get("contact.schema").operation_name == "ContactSchema"


def test_register_undecorated_function_uses_defaults(registry: Registry) -> None:
    def ping(request) -> bool:
        return True

    register(ping, "ping")
    assert registry.get("ping").kind is Kind.MUTATION


def test_duplicate_public_name_is_an_error_naming_both(registry: Registry) -> None:
    @client
    def one(request) -> bool:
        return True

    @client
    def two(request) -> bool:
        return True

    register(one, "same")
    register(two, "same")
    with pytest.raises(RegistrationError) as caught:
        get_schema()
    message = str(caught.value)
    assert "one" in message and "two" in message and "test_registry.py" in message


def test_names_that_meet_in_graphql_clash(registry: Registry) -> None:
    @client
    def contact_submit(request) -> bool:
        return True

    @client
    def other(request) -> bool:
        return True

    register(other, "contact.submit")
    with pytest.raises(RegistrationError, match="contactSubmit"):
        get_schema()


def test_missing_request_parameter() -> None:
    with pytest.raises(RegistrationError, match=r"def echo\(request, \.\.\.\)") as caught:

        @client
        def echo(text: str) -> Output:
            return Output(message=text)

    assert re.search(r"test_registry\.py:\d+", str(caught.value))


def test_missing_argument_annotation() -> None:
    with pytest.raises(RegistrationError, match="parameter 'text' has no type annotation"):

        @client
        def echo(request, text) -> Output:  # type: ignore[no-untyped-def]
            return Output(message=text)


def test_missing_return_annotation() -> None:
    with pytest.raises(RegistrationError, match="no return annotation"):

        @client
        def echo(request, text: str):  # type: ignore[no-untyped-def]
            return Output(message=text)


def test_unsupported_annotation_names_the_function_and_parameter() -> None:
    @client
    def echo(request, when: complex) -> bool:
        return True

    with pytest.raises(RegistrationError, match=r"echo .*parameter 'when'.*complex"):
        get_schema()


def test_var_keyword_parameters_are_refused() -> None:
    with pytest.raises(RegistrationError, match=r"\*\*kwargs"):

        @client
        def echo(request, **rest: str) -> bool:
            return True


def test_invalid_auth_value() -> None:
    with pytest.raises(RegistrationError, match="auth='admin'"):

        @client(auth="admin")
        def echo(request) -> bool:
            return True


def test_invalid_public_name() -> None:
    @client
    def echo(request) -> bool:
        return True

    with pytest.raises(RegistrationError, match="not a valid mizan function name"):
        register(echo, "has space")


def test_registration_after_build_is_a_clear_error() -> None:
    @client(read_only=True)
    def early(request) -> bool:
        return True

    get_schema()
    with pytest.raises(RegistrationError, match=r"after the mizan schema was built.*ready\(\)"):

        @client
        def late(request) -> bool:
            return True


def test_schema_is_built_once(registry: Registry) -> None:
    @client(read_only=True)
    def early(request) -> bool:
        return True

    assert get_schema() is get_schema()
    assert registry.frozen


def test_add_later_builds_on_the_next_read_and_keeps_a_failing_build(
    registry: Registry,
) -> None:
    from mizan.definitions import FunctionDef, Source

    def ping(request) -> bool:
        return True

    source = Source.of(ping)
    attempts: list[int] = []

    def build() -> list[FunctionDef]:
        attempts.append(1)
        if len(attempts) == 1:
            raise RegistrationError("not yet")
        return [FunctionDef(ping, "ping", (), bool, Kind.QUERY, source, False)]

    registry.add_later(source, build)
    assert attempts == []  # nothing is built until the registry is read
    with pytest.raises(RegistrationError, match="not yet"):
        list(registry)
    assert [d.name for d in registry] == ["ping"]
    assert [d.name for d in registry] == ["ping"] and len(attempts) == 2

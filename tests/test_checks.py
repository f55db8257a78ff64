from __future__ import annotations

from typing import Any

import pytest

from mizan.checks import check_middleware, check_schema, check_settings
from mizan.client import client
from mizan.exceptions import RegistrationError


def test_no_settings_is_fine(settings: Any) -> None:
    del settings.MIZAN
    assert check_settings() == []


def test_unknown_key_warns_with_a_suggestion(settings: Any) -> None:
    settings.MIZAN = {"GRAPHIQl": False}
    (warning,) = check_settings()
    assert warning.id == "mizan.W001"
    assert warning.hint == "Did you mean 'GRAPHIQL'?"


def test_wrong_type_and_wrong_container(settings: Any) -> None:
    settings.MIZAN = {"MAX_DEPTH": "10"}
    assert [m.id for m in check_settings()] == ["mizan.E002"]
    settings.MIZAN = ["GRAPHIQL"]
    assert [m.id for m in check_settings()] == ["mizan.E001"]


def test_a_declaration_mistake_is_a_check_error() -> None:
    @client(read_only=True)
    def broken(request) -> complex:
        return 1j

    (error,) = check_schema()
    assert error.id == "mizan.E003"
    assert "broken" in error.msg and "complex" in error.msg


def test_a_good_schema_passes() -> None:
    @client(read_only=True)
    def fine(request) -> int:
        return 1

    assert check_schema() == []


def test_a_path_is_accepted_for_the_documents_file(settings: Any, tmp_path: Any) -> None:
    settings.MIZAN = {"PERSISTED_DOCUMENTS": tmp_path / "docs.json", "MAX_DEPTH": True}
    assert [m.msg for m in check_settings()] == [
        "settings.MIZAN['MAX_DEPTH'] must be a int, not True."
    ]


@pytest.mark.parametrize("name", ["model_config", "model_dump", "_private"])
def test_parameters_pydantic_reserves_are_refused(name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def clash(request, {name}: int) -> int:\n    return 1", namespace)
    with pytest.raises(RegistrationError, match=rf"parameter '{name}' cannot be an argument"):
        client(read_only=True)(namespace["clash"])


class TestInvalidationMiddlewareOrder:
    SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
    MIZAN = "mizan.middleware.InvalidationMiddleware"

    def test_above_the_session_middleware_is_fine(self, settings: Any) -> None:
        settings.MIDDLEWARE = [self.MIZAN, self.SESSION]
        assert check_middleware() == []

    def test_below_it_is_an_error(self, settings: Any) -> None:
        settings.MIDDLEWARE = [self.SESSION, self.MIZAN]
        (error,) = check_middleware()
        assert error.id == "mizan.E010"
        assert "above" in error.hint

    def test_missing_is_a_warning(self, settings: Any) -> None:
        settings.MIDDLEWARE = [self.SESSION]
        assert [m.id for m in check_middleware()] == ["mizan.W010"]

    def test_without_sessions_there_is_nothing_to_order(self, settings: Any) -> None:
        settings.MIDDLEWARE = []
        assert check_middleware() == []

"""Mistakes a new user makes that once failed silently: each is now loud, and says the fix."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import clear_url_caches

from mizan.checks import check_declared_from_urlconf, check_invalidation_scopes, check_schema
from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema

# -- mizan.urls without "mizan" in INSTALLED_APPS ------------------------------------------


def test_including_mizan_urls_without_the_app_is_an_error_that_says_so(settings: Any) -> None:
    installed = sys.modules.pop("mizan.urls", None)
    try:
        without = [app for app in settings.INSTALLED_APPS if app != "mizan"]
        with (
            override_settings(INSTALLED_APPS=without),
            pytest.raises(ImproperlyConfigured) as caught,
        ):
            importlib.import_module("mizan.urls")
    finally:
        sys.modules.pop("mizan.urls", None)
        if installed is not None:
            sys.modules["mizan.urls"] = installed
    assert str(caught.value) == (
        "mizan.urls is included but 'mizan' is not in INSTALLED_APPS, so none of mizan's "
        "system checks run (a function that cannot be compiled would pass `manage.py "
        'check` and fail on its first request). Add "mizan" to INSTALLED_APPS.'
    )


# -- affects= on a query -------------------------------------------------------------------


def test_affects_on_a_read_only_function_names_the_fix() -> None:
    @client(context="user")
    def user_profile(request: Any, user_id: int) -> int:
        return user_id

    with pytest.raises(RegistrationError) as caught:

        @client(read_only=True, affects="user")
        def profile_views(request: Any, user_id: int) -> int:
            return 0

    message = str(caught.value)
    assert "profile_views" in message and "test_mistakes.py:" in message
    assert message.endswith(
        "affects='user' on a query (read_only=True). A query changes nothing, so it has "
        "nothing to invalidate, and would invalidate on every read. If it writes, drop "
        "read_only=True to make it a mutation; if it only reads, drop affects=."
    )


def test_affects_on_a_context_function_names_the_fix() -> None:
    with pytest.raises(RegistrationError, match=r"affects='user' on a query \(a context= "):

        @client(context="user", affects="user")
        def user_profile(request: Any, user_id: int) -> int:
            return user_id

    with pytest.raises(RegistrationError, match=r"move the write into a mutation"):

        @client(context="user", affects="user")
        def user_name(request: Any, user_id: int) -> int:
            return user_id


# -- a context function without its siblings' key param -------------------------------------


def declare_user_context(*, stats_takes_user_id: bool) -> None:
    @client(context="user")
    def user_profile(request: Any, user_id: int) -> int:
        return user_id

    if stats_takes_user_id:

        @client(context="user")
        def user_stats(request: Any, user_id: int) -> int:
            return 0
    else:

        @client(context="user")
        def user_stats(request: Any) -> int:  # forgot user_id
            return 0

    @client(affects="user")
    def rename(request: Any, user_id: int, name: str) -> int:
        return user_id


def test_a_context_function_lacking_the_key_param_widens_invalidations_and_says_so() -> None:
    declare_user_context(stats_takes_user_id=False)

    (warning,) = check_invalidation_scopes()
    assert warning.id == "mizan.W002"
    assert "rename" in warning.msg
    assert "affects='user' invalidates the whole context 'user' on every call, not just its " in (
        warning.msg
    )
    assert "'user_id' is not a key param of 'user' because " in warning.msg
    assert "user_stats (" in warning.msg and warning.msg.endswith("does not declare it.")
    assert warning.hint == (
        "Add a `user_id` parameter to user_stats, or move it to a context of its own. If "
        "invalidating the whole context is what you mean, add 'mizan.W002' to "
        "SILENCED_SYSTEM_CHECKS."
    )


def test_no_warning_when_every_function_declares_the_key_param() -> None:
    declare_user_context(stats_takes_user_id=True)
    assert check_invalidation_scopes() == []


def test_no_warning_for_a_mutation_that_means_the_whole_context() -> None:
    @client(context="user")
    def user_profile(request: Any, user_id: int) -> int:
        return user_id

    @client(affects="user")
    def reset_everyone(request: Any) -> bool:
        return True

    assert check_invalidation_scopes() == []


# -- a function declared in a module only urls.py imports -----------------------------------


@pytest.fixture
def urlconf_importing_functions(tmp_path: Path) -> Iterator[str]:
    """A URLconf that imports a functions module no AppConfig.ready() imports."""
    (tmp_path / "late_functions.py").write_text(
        "from mizan import client\n\n\n"
        "@client(read_only=True)\n"
        "def greet(request, name: str) -> str:\n"
        "    return name\n"
    )
    (tmp_path / "late_urls.py").write_text(
        "from django.urls import include, path\n\n"
        "import late_functions  # noqa: F401\n\n"
        'urlpatterns = [path("api/mizan/", include("mizan.urls"))]\n'
    )
    sys.path.insert(0, str(tmp_path))
    try:
        with override_settings(ROOT_URLCONF="late_urls"):
            clear_url_caches()
            yield "late_urls"
    finally:
        clear_url_caches()
        sys.path.remove(str(tmp_path))
        for name in ("late_urls", "late_functions"):
            sys.modules.pop(name, None)


E005 = (
    "late_functions.greet ({file}:4) is declared while late_urls (the URLconf) is being "
    "imported, not at start-up: a process that never loads the URLs (manage.py shell, a task "
    "worker, MizanTestClient, export_graphql_schema) does not know it, and one that built "
    "the schema first refuses it."
)


def test_a_function_only_the_urlconf_imports_is_a_check_error(
    urlconf_importing_functions: str, tmp_path: Path
) -> None:
    (error,) = check_declared_from_urlconf()
    assert error.id == "mizan.E005"
    assert error.msg == E005.format(file=tmp_path / "late_functions.py")
    assert error.hint == (
        "Import late_functions from your app's AppConfig.ready(), e.g. "
        "`def ready(self): import late_functions  # noqa: F401`."
    )
    assert check_schema() == []


def test_when_the_schema_was_built_first_check_reports_it_instead_of_a_traceback(
    urlconf_importing_functions: str, tmp_path: Path
) -> None:
    get_schema()  # as when another check, or a request, built the schema first
    with pytest.raises(SystemCheckError) as caught:
        call_command("check")
    assert "(mizan.E005) " + E005.format(file=tmp_path / "late_functions.py") in str(caught.value)

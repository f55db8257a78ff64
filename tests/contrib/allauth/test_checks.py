"""mizan.contrib.allauth's system checks: each missing piece named, with its fix."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from mizan.contrib.allauth.checks import check_setup


def ids(**settings: Any) -> list[str]:
    with override_settings(**settings):
        return [message.id or "" for message in check_setup()]


def test_the_test_settings_pass() -> None:
    assert check_setup() == []


def test_a_missing_app_names_it() -> None:
    from django.conf import settings

    apps = [app for app in settings.INSTALLED_APPS if app != "allauth.account"]
    with override_settings(INSTALLED_APPS=apps):
        (error,) = check_setup()
    assert error.id == "mizan_allauth.E001" and "'allauth.account'" in error.msg


def test_the_middleware_is_required() -> None:
    from django.conf import settings

    middleware = [m for m in settings.MIDDLEWARE if "AccountMiddleware" not in m]
    assert ids(MIDDLEWARE=middleware) == ["mizan_allauth.E002"]


def test_allauth_urls_are_required() -> None:
    assert ids(ROOT_URLCONF="tests.urls") == ["mizan_allauth.E003"]


def test_an_adapter_that_is_not_mizans_is_a_warning() -> None:
    found = ids(ACCOUNT_ADAPTER="allauth.account.adapter.DefaultAccountAdapter")
    assert found == ["mizan_allauth.W001"]

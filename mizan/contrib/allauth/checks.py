"""System checks: the settings mizan.contrib.allauth needs, each with its fix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from mizan.contrib.allauth.adapter import AccountAdapter


def check_setup(**kwargs: Any) -> list[CheckMessage]:
    """Registered with the ``urls`` tag too: it reverses allauth's login URL."""
    problems: list[CheckMessage] = []
    apps = list(settings.INSTALLED_APPS)
    for app in ("allauth", "allauth.account", "mizan"):
        if app not in apps:
            problems.append(
                Error(
                    f"mizan.contrib.allauth needs {app!r} in INSTALLED_APPS.",
                    hint=f"Add {app!r} to INSTALLED_APPS, before 'mizan.contrib.allauth'.",
                    id="mizan_allauth.E001",
                )
            )
    middleware = "allauth.account.middleware.AccountMiddleware"
    if middleware not in settings.MIDDLEWARE:
        problems.append(
            Error(
                "allauth's flows need its AccountMiddleware.",
                hint=f"Add {middleware!r} to MIDDLEWARE (after AuthenticationMiddleware).",
                id="mizan_allauth.E002",
            )
        )
    try:
        reverse("account_login")
    except NoReverseMatch:
        problems.append(
            Error(
                "allauth's URLs are not in the URLconf: its flows build redirects to its own "
                "views, and social providers call back to them.",
                hint='Add path("accounts/", include("allauth.urls")) to your urls.py.',
                id="mizan_allauth.E003",
            )
        )
    adapter = getattr(settings, "ACCOUNT_ADAPTER", "allauth.account.adapter.DefaultAccountAdapter")
    try:
        adapter_class = import_string(adapter)
    except ImportError:
        adapter_class = None  # allauth's own checks report it
    if adapter_class is not None and not issubclass(adapter_class, AccountAdapter):
        problems.append(
            Warning(
                f"ACCOUNT_ADAPTER {adapter!r} does not extend mizan's AccountAdapter, so "
                "verification and password reset emails link to allauth's own pages, not to "
                'MIZAN["ACCOUNT_URLS"].',
                hint='Set ACCOUNT_ADAPTER = "mizan.contrib.allauth.adapter.AccountAdapter", '
                "or make your adapter subclass it.",
                id="mizan_allauth.W001",
            )
        )
    return problems

"""The account adapter whose emails link to the front end's pages, not allauth's views."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from mizan.conf import Settings, mizan_settings


def frontend_url(request: HttpRequest | None, page: str, key: str) -> str:
    """``MIZAN["ACCOUNT_URLS"][page]`` with the key in it, absolute when it is a path. A
    page the setting leaves out keeps its default."""
    pages = {**Settings.ACCOUNT_URLS.default, **mizan_settings.ACCOUNT_URLS}
    url = str(pages[page]).replace("{key}", quote(key, safe=":"))
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


class AccountAdapter(DefaultAccountAdapter):
    """``ACCOUNT_ADAPTER = "mizan.contrib.allauth.adapter.AccountAdapter"`` (or subclass
    it): verification and password reset emails link to ``MIZAN["ACCOUNT_URLS"]``."""

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return frontend_url(request, "verify_email", emailconfirmation.key)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return frontend_url(self.request, "reset_password", key)

"""The account functions that are not forms: the state, logout and social sign-in."""

from __future__ import annotations

from allauth.account.internal.flows.logout import logout
from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from pydantic import BaseModel, Field

from mizan.client import client, register
from mizan.contrib.allauth.state import AccountState, account_state, changed, will_change
from mizan.exceptions import BadInput


class Provider(BaseModel):
    """A configured social login provider."""

    id: str = Field(description="What `accountProviderRedirect(provider:)` takes.")
    name: str = Field(description="Its name, to show on a button.")


class ProviderRedirect(BaseModel):
    """Where the browser goes next to sign in with a provider."""

    url: str = Field(description="Navigate the browser here (a full page load).")


def state(request: HttpRequest) -> AccountState:
    """The caller's account: who is logged in, and any pending step of a flow."""
    return account_state(request)


def sign_out(request: HttpRequest) -> AccountState:
    """Log out: the session ends, and the caller's cached global state with it."""
    will_change(request)
    logout(request, show_message=False)
    return changed(request)


def providers(request: HttpRequest) -> list[Provider]:
    """The social login providers this site offers."""
    from allauth.socialaccount.adapter import get_adapter

    return [
        Provider(id=provider.id, name=provider.name)
        for provider in get_adapter().list_providers(request)
    ]


def provider_redirect(
    request: HttpRequest, provider: str, callback_url: str, process: str = "login"
) -> ProviderRedirect:
    """Start signing in (or connecting, with `process: "connect"`) with a social
    provider. A mutation, so a cookie session needs the CSRF token: no other site can
    start a login in the user's browser. The provider sends the browser back to allauth,
    which finishes the login and then goes to `callbackUrl` (a URL of this site)."""
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.providers.base.constants import AuthProcess

    if not url_has_allowed_host_and_scheme(
        callback_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        raise BadInput(
            f"callbackUrl {callback_url!r} is not a URL of this site; give a path such as "
            "'/' or an absolute URL on this host.",
            extensions={"argument": "callbackUrl"},
        )
    if process not in (AuthProcess.LOGIN, AuthProcess.CONNECT):
        raise BadInput(
            f"process {process!r} is neither 'login' nor 'connect'.",
            extensions={"argument": "process"},
        )
    known = {p.id: p for p in get_adapter().list_providers(request)}
    if provider not in known:
        raise BadInput(
            f"No social provider {provider!r}; this site offers "
            f"{', '.join(sorted(known)) or 'none'}.",
            extensions={"argument": "provider"},
        )
    response = known[provider].redirect(request, process, next_url=callback_url)
    return ProviderRedirect(url=response["Location"])


register(client(context="global")(state), "account.state")
register(client(sign_out), "account.logout")
if "allauth.socialaccount" in settings.INSTALLED_APPS:
    register(client(context="account_providers", public=True)(providers), "account.providers")
    register(client(provider_redirect), "account.provider_redirect")

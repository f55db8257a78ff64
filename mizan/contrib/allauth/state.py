"""The ``account`` state a front end shows: who is logged in, and any flow under way."""

from __future__ import annotations

import math

from allauth.account.internal.stagekit import get_pending_stage
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import get_rates
from django.http import HttpRequest
from pydantic import BaseModel, Field

from mizan.contexts import GLOBAL
from mizan.exceptions import RateLimited
from mizan.invalidation import invalidate_for


class AccountUser(BaseModel):
    """The logged-in user, as an account page shows them."""

    id: str = Field(description="The user's primary key, as text.")
    username: str | None = Field(description="Their username, when the user model has one.")
    email: str | None = Field(description="Their primary email address, if any.")
    email_verified: bool = Field(description="Whether that address is verified.")
    display: str = Field(description="How allauth names them (`ACCOUNT_USER_DISPLAY`).")


class AccountState(BaseModel):
    """The caller's account: the user, or null, and the next step of a pending flow."""

    user: AccountUser | None = Field(description="The logged-in user; null when anonymous.")
    pending: str | None = Field(
        description="The stage a login or sign-up waits for, as allauth names it "
        "(`verify_email`, …); null when nothing is pending."
    )


def account_state(request: HttpRequest) -> AccountState:
    from allauth.account.utils import user_display, user_username

    stage = get_pending_stage(request)
    user = request.user
    if not user.is_authenticated:
        return AccountState(user=None, pending=stage.key if stage else None)
    address = EmailAddress.objects.get_primary(user)
    return AccountState(
        user=AccountUser(
            id=str(user.pk),
            username=user_username(user) or None,
            email=address.email if address else (getattr(user, "email", "") or None),
            email_verified=bool(address and address.verified),
            display=str(user_display(user)),
        ),
        pending=stage.key if stage else None,
    )


def will_change(request: HttpRequest) -> None:
    """Before a flow that changes the caller's account: once it commits, the caller's
    ``global`` entries go, nobody else's, and the caller is told ``global`` changed. A
    failed flow commits nothing, so it drops nothing."""
    invalidate_for(request, GLOBAL)


def changed(request: HttpRequest) -> AccountState:
    """After the flow: the entries of the owner it made go too (a login or logout moves
    the owner, and outside a transaction :func:`will_change` applied at once), and the
    new state."""
    invalidate_for(request, GLOBAL)
    return account_state(request)


def limit(request: HttpRequest, action: str, key: str | None = None) -> None:
    """allauth's rate limit for ``action`` (its ``ACCOUNT_RATE_LIMITS``), as mizan's
    ``RATE_LIMITED`` error with ``retryAfter``: the longest window of that action."""
    from allauth.core import ratelimit

    if not ratelimit.consume(request, action=action, key=key):
        raise rate_limited(action)


def rate_limited(action: str) -> RateLimited:
    """The ``RATE_LIMITED`` error for allauth's ``action``; ``retryAfter`` is its longest
    window (allauth keeps no per-client reset time to read)."""
    rates = get_rates(app="allauth.account", action=action)
    retry_after = math.ceil(max((rate.duration for rate in rates), default=60))
    return RateLimited("Too many attempts; try again later.", retry_after=retry_after)

"""allauth's own inputs, served as mizan forms (schema, validate, submit).

Each form is the class allauth's headless API validates with, so its fields follow
allauth's settings (``ACCOUNT_LOGIN_METHODS``, ``ACCOUNT_SIGNUP_FIELDS``, …) and its
rules and messages are allauth's. What a submit does is allauth's flow code. A check
that must not run on every keystroke (a password) runs on submit only
(``mizan_role``), behind allauth's rate limit for that action.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, ClassVar

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal import flows
from allauth.account.stages import EmailVerificationStage, LoginStageController
from allauth.core.context import request_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.headless.account.inputs import (
    ChangePasswordInput,
    LoginInput,
    RequestPasswordResetInput,
    ResetPasswordInput,
    SignupInput,
    VerifyEmailInput,
)
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from mizan.contrib.allauth.state import (
    AccountState,
    account_state,
    changed,
    limit,
    rate_limited,
    will_change,
)
from mizan.exceptions import ClientError, Forbidden
from mizan.forms import MizanFormMeta, MizanFormMixin

RATE_LIMIT_CODES = {"too_many_login_attempts"}


def _already_logged_in(request: HttpRequest) -> None:
    if request.user.is_authenticated:
        raise ClientError("You are already logged in; log out first.", code="CONFLICT")


class _Flow(MizanFormMixin):
    mizan: ClassVar[MizanFormMeta | None] = None  # a base: its subclasses are the forms

    @property
    def http_request(self) -> HttpRequest:
        assert self.request is not None  # mizan sets it before validating
        return self.request

    def full_clean(self) -> None:
        # allauth's inputs read the request from allauth.core.context, which its middleware
        # sets for HTTP requests only: a call over the WebSocket would find None there.
        if self.request is None:
            super().full_clean()  # type: ignore[misc]  # a Form, in its subclasses
            return
        with request_context(self.request):
            super().full_clean()  # type: ignore[misc]  # a Form, in its subclasses


class AccountLoginForm(_Flow, LoginInput):
    """Log in with a password (by username or email, as `ACCOUNT_LOGIN_METHODS` says)."""

    mizan = MizanFormMeta(name="account.login", title="Log in")

    def clean(self) -> dict[str, Any]:
        if self.mizan_role != "submit":  # never try a password while validating
            return forms.Form.clean(self) or {}
        limit(self.http_request, "login")
        try:
            return super().clean()  # type: ignore[no-any-return]  # authenticates
        except ValidationError as exc:
            if getattr(exc, "code", None) in RATE_LIMIT_CODES:
                raise rate_limited("login_failed") from exc
            raise

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        _already_logged_in(request)
        will_change(request)
        flows.login.perform_password_login(request, self.cleaned_data, self.login)
        return changed(request)


class AccountSignupForm(_Flow, SignupInput):
    """Create an account; with mandatory email verification the state says
    `pending: "verify_email"` until the emailed key is submitted."""

    mizan = MizanFormMeta(name="account.signup", title="Sign up")

    def clean(self) -> dict[str, Any]:
        if self.mizan_role == "submit":
            limit(self.http_request, "signup")
        return super().clean()  # type: ignore[no-any-return]

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        _already_logged_in(request)
        if not get_adapter().is_open_for_signup(request):
            raise Forbidden("Sign-up is closed.")
        will_change(request)
        user, response = self.try_save(request)
        if response is None:
            # A stage (email verification) may hold the login: the state says which.
            with suppress(ImmediateHttpResponse):
                flows.signup.complete_signup(request, user=user)
        return changed(request)


class AccountVerifyEmailForm(_Flow, VerifyEmailInput):
    """Verify an email address with the key from the verification email (the link in
    it goes to `MIZAN["ACCOUNT_URLS"]["verify_email"]`, which submits this form)."""

    mizan = MizanFormMeta(name="account.verify_email", title="Verify email")

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        will_change(request)
        # Entered before confirming, as allauth's own view does: confirming ends the stage.
        stage = LoginStageController.enter(request, EmailVerificationStage.key)
        address = self.verification.confirm(request)
        if address is None:
            raise ValidationError("This email address cannot be verified.", code="invalid")
        if stage:  # verifying as part of a sign-up or login may log the user in
            flows.email_verification.login_on_verification(request, address)
        return changed(request)


class AccountPasswordResetForm(_Flow, RequestPasswordResetInput):
    """Email a password reset link (to `MIZAN["ACCOUNT_URLS"]["reset_password"]`).
    Unknown addresses get the same answer, as allauth's enumeration settings say."""

    mizan = MizanFormMeta(name="account.password_reset", title="Reset password")

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        limit(request, "reset_password", key=self.cleaned_data["email"].lower())
        self.save(request)
        return account_state(request)  # nothing about the caller changed


class AccountPasswordResetConfirmForm(_Flow, ResetPasswordInput):
    """Set a new password with the key from the reset email."""

    mizan = MizanFormMeta(name="account.password_reset_confirm", title="Choose a new password")

    def clean(self) -> dict[str, Any]:
        if self.mizan_role == "submit":
            limit(self.http_request, "reset_password_from_key")
        return super().clean()  # type: ignore[no-any-return]

    def clean_key(self) -> str:
        # A link's key is "<uidb36>-<token>". allauth hands an empty uidb36 ("-x") to its
        # UserTokenForm, which then calls base36_to_int(None): a TypeError, where any other
        # bad key is "invalid_password_reset". Refused here the same way (found by make fuzz).
        if not app_settings.PASSWORD_RESET_BY_CODE_ENABLED:
            uidb36, _, _ = str(self.cleaned_data.get("key", "")).partition("-")
            if not uidb36:
                raise get_adapter().validation_error("invalid_password_reset")
        return super().clean_key()  # type: ignore[no-any-return]

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        will_change(request)
        flows.password_reset.reset_password(self.user, self.cleaned_data["password"])
        flows.password_reset.finalize_password_reset(request, self.user)
        return changed(request)


class AccountPasswordChangeForm(_Flow, ChangePasswordInput):
    """Change (or, for an account without one, set) the logged-in user's password."""

    mizan = MizanFormMeta(name="account.password_change", title="Change password", auth=True)

    @classmethod
    def get_form_kwargs(cls, request: HttpRequest | None) -> dict[str, Any]:
        # At start-up (no request) an unsaved user stands in: one with a usable password.
        return {"user": request.user if request is not None else get_user_model()()}

    def clean_current_password(self) -> str:
        if self.mizan_role != "submit":  # never try a password while validating
            return str(self.cleaned_data["current_password"] or "")
        limit(self.http_request, "change_password")
        return super().clean_current_password()  # type: ignore[no-any-return]

    def on_submit_success(self, request: HttpRequest) -> AccountState:
        user = request.user
        will_change(request)
        flows.password_change.change_password(user, self.cleaned_data["new_password"])
        if self.cleaned_data.get("current_password"):
            flows.password_change.finalize_password_change(request, user)
        else:
            flows.password_change.finalize_password_set(request, user)
        return changed(request)


__all__ = [
    "AccountLoginForm",
    "AccountPasswordChangeForm",
    "AccountPasswordResetConfirmForm",
    "AccountPasswordResetForm",
    "AccountSignupForm",
    "AccountVerifyEmailForm",
]

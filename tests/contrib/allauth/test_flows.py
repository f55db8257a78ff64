"""Every allauth flow through mizan's endpoint, with real django-allauth."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

# Real commits: invalidations apply when a transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """A fresh cache per test: primary keys start again at 1 in each test's database."""
    from django.core.cache import cache

    cache.clear()


TOKEN = "t" * 32
STATE = "{ accountState { user { email emailVerified } pending } currentUser { email } }"
SIGNUP = (
    "mutation($d: AccountSignupInput!) { accountSignupSubmit(data: $d) "
    "{ ok errors { field messages codes } result { user { email } pending } } }"
)
VERIFY = (
    "mutation($d: AccountVerifyEmailInput!) { accountVerifyEmailSubmit(data: $d) "
    "{ ok errors { field codes } result { user { email emailVerified } pending } } }"
)
LOGIN = (
    "mutation($d: AccountLoginInput!) { accountLoginSubmit(data: $d) "
    "{ ok errors { field messages codes } nonFieldErrors result { user { email } } } }"
)
LOGIN_VALIDATE = (
    "query($d: AccountLoginInput!) { accountLoginValidate(data: $d) { ok errors { field } } }"
)
LOGOUT = "mutation { accountLogout { user { email } } }"


class Browser:
    """A browser with a cookie session. Like the generated client, it reads the CSRF
    cookie for every POST: Django rotates the token at login."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.client.cookies["csrftoken"] = TOKEN

    def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> Any:
        body = json.dumps({"query": query, "variables": variables or {}})
        headers = {"HTTP_X_CSRFTOKEN": self.client.cookies["csrftoken"].value, **extra}
        return self.client.post(
            "/api/mizan/graphql/", body, content_type="application/json", **headers
        )

    def call(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        payload = self.call(query, variables)
        assert "errors" not in payload, payload
        return payload["data"]

    def state(self) -> Any:
        return self.data(STATE)


def key_in_last_mail(page: str) -> str:
    match = re.search(rf"http://testserver/account/{page}/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return unquote(match.group(1))  # as the front end's router decodes a path parameter


def make_user(email: str = "ada@example.com", password: str = "correct horse 1") -> Any:
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email)
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def log_in(browser: Browser, email: str = "ada@example.com", password: str = "correct horse 1"):
    return browser.call(LOGIN, {"d": {"email": email, "password": password}})


def test_sign_up_verify_email_and_be_logged_in() -> None:
    browser = Browser()
    assert browser.state() == {"accountState": {"user": None, "pending": None}, "currentUser": None}
    signed = browser.call(
        SIGNUP, {"d": {"email": "grace@example.com", "password": "a long pass 77"}}
    )
    submit = signed["data"]["accountSignupSubmit"]
    assert submit["ok"] is True, submit
    assert submit["result"] == {"user": None, "pending": "verify_email"}
    assert browser.state()["accountState"] == {"user": None, "pending": "verify_email"}

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["grace@example.com"]
    key = key_in_last_mail("verify-email")  # MIZAN["ACCOUNT_URLS"]: the front end's page
    verified = browser.call(VERIFY, {"d": {"key": key}})
    # allauth logs in on verification only with ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION.
    assert verified["data"]["accountVerifyEmailSubmit"]["result"] == {"user": None, "pending": None}
    assert {"context": "global", "params": {}} in verified["extensions"]["invalidate"]
    assert browser.state()["accountState"] == {"user": None, "pending": None}

    login = log_in(browser, "grace@example.com", "a long pass 77")
    assert login["extensions"]["invalidate"] == [{"context": "global", "params": {}}]
    assert browser.state() == {
        "accountState": {
            "user": {"email": "grace@example.com", "emailVerified": True},
            "pending": None,
        },
        "currentUser": {"email": "grace@example.com"},
    }


def test_a_bad_verification_key_is_a_field_error() -> None:
    verified = Browser().call(VERIFY, {"d": {"key": "nope"}})["data"]["accountVerifyEmailSubmit"]
    assert verified["ok"] is False
    assert verified["errors"] == [{"field": "key", "codes": ["invalid_or_expired_key"]}]


def test_login_reports_global_to_the_caller_and_rotates_the_session() -> None:
    make_user()
    browser = Browser()
    browser.call(SIGNUP, {"d": {"email": "x@example.com", "password": "short"}})  # a session
    before = browser.client.cookies.get("sessionid")
    response = browser.post(
        LOGIN, {"d": {"email": "ada@example.com", "password": "correct horse 1"}}
    )
    payload = response.json()
    assert payload["data"]["accountLoginSubmit"]["result"] == {"user": {"email": "ada@example.com"}}
    assert payload["extensions"]["invalidate"] == [{"context": "global", "params": {}}]
    assert response["X-Mizan-Invalidate"] == "global"
    after = browser.client.cookies["sessionid"].value
    assert before is None or after != before.value
    assert browser.state()["currentUser"] == {"email": "ada@example.com"}


def test_a_wrong_password_is_a_field_error_on_password() -> None:
    make_user()
    login = log_in(Browser(), password="wrong")["data"]["accountLoginSubmit"]
    assert login["ok"] is False and login["result"] is None
    assert [e["field"] for e in login["errors"]] == ["password"]
    assert login["errors"][0]["codes"] == ["email_password_mismatch"]


def test_validating_a_login_never_tries_the_password() -> None:
    make_user()
    browser = Browser()
    for _ in range(10):  # far past ACCOUNT_RATE_LIMITS' login_failed: nothing is counted
        checked = browser.data(LOGIN_VALIDATE, {"d": {"email": "ada@example.com", "password": "x"}})
        assert checked["accountLoginValidate"] == {"ok": True, "errors": []}
    assert log_in(browser)["data"]["accountLoginSubmit"]["ok"] is True


def test_too_many_failed_logins_answer_rate_limited() -> None:
    make_user()
    browser = Browser()
    for _ in range(3):
        assert log_in(browser, password="wrong")["data"]["accountLoginSubmit"]["ok"] is False
    # The only field was refused: a 429 with Retry-After, as for mizan's own rate=.
    response = browser.post(LOGIN, {"d": {"email": "ada@example.com", "password": "wrong"}})
    assert response.status_code == 429 and response["Retry-After"] == "300"
    limited = response.json()
    assert limited["data"] is None  # the submit's payload is non-null: the error nulls data
    (error,) = limited["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == 300  # login_failed's longest window: 5m
    # Even the right password waits: the limit is allauth's, per address and per IP.
    right = browser.post(LOGIN, {"d": {"email": "ada@example.com", "password": "correct horse 1"}})
    assert right.status_code == 429
    assert right.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_logout_clears_current_user() -> None:
    make_user()
    browser = Browser()
    log_in(browser)
    assert browser.state()["currentUser"] == {"email": "ada@example.com"}  # now cached
    out = browser.call(LOGOUT)
    assert out["data"]["accountLogout"] == {"user": None}
    assert out["extensions"]["invalidate"] == [{"context": "global", "params": {}}]
    assert browser.state() == {"accountState": {"user": None, "pending": None}, "currentUser": None}


def test_a_cookie_session_needs_the_csrf_token() -> None:
    make_user()
    browser = Browser()
    log_in(browser)
    response = browser.post(LOGOUT, HTTP_X_CSRFTOKEN="")
    assert response.status_code == 403
    assert browser.state()["currentUser"] == {"email": "ada@example.com"}


def test_password_reset_round_trip() -> None:
    make_user()
    browser = Browser()
    requested = browser.data(
        "mutation($d: AccountPasswordResetInput!) { accountPasswordResetSubmit(data: $d) { ok } }",
        {"d": {"email": "ada@example.com"}},
    )
    assert requested == {"accountPasswordResetSubmit": {"ok": True}}
    key = key_in_last_mail("reset-password")
    confirm = (
        "mutation($d: AccountPasswordResetConfirmInput!) { "
        "accountPasswordResetConfirmSubmit(data: $d) { ok errors { field codes } } }"
    )
    weak = browser.data(confirm, {"d": {"key": key, "password": "1"}})
    assert weak["accountPasswordResetConfirmSubmit"]["ok"] is False
    assert weak["accountPasswordResetConfirmSubmit"]["errors"][0]["field"] == "password"
    done = browser.data(confirm, {"d": {"key": key, "password": "a brand new one 9"}})
    assert done == {"accountPasswordResetConfirmSubmit": {"ok": True, "errors": []}}
    assert (
        log_in(Browser(), password="correct horse 1")["data"]["accountLoginSubmit"]["ok"] is False
    )
    assert log_in(Browser(), password="a brand new one 9")["data"]["accountLoginSubmit"]["ok"]
    again = browser.data(confirm, {"d": {"key": key, "password": "another one 10"}})
    assert again["accountPasswordResetConfirmSubmit"]["ok"] is False  # a key works once


@pytest.mark.parametrize("key", ["-x", "-", "", "abc-def", "no dash"])
def test_a_malformed_reset_key_is_a_field_error(key: str) -> None:
    # allauth's own token form fails with a TypeError on an empty uid ("-x").
    make_user()
    confirm = (
        "mutation($d: AccountPasswordResetConfirmInput!) { "
        "accountPasswordResetConfirmSubmit(data: $d) { ok errors { field codes } } }"
    )
    answer = Browser().data(confirm, {"d": {"key": key, "password": "a brand new one 9"}})
    result = answer["accountPasswordResetConfirmSubmit"]
    assert result["ok"] is False
    assert [e["field"] for e in result["errors"]] == ["key"]


def test_unknown_address_reset_answers_the_same() -> None:
    browser = Browser()
    requested = browser.data(
        "mutation($d: AccountPasswordResetInput!) { accountPasswordResetSubmit(data: $d) { ok } }",
        {"d": {"email": "nobody@example.com"}},
    )
    assert requested == {"accountPasswordResetSubmit": {"ok": True}}


def test_password_change_needs_login_and_the_current_password() -> None:
    change = (
        "mutation($d: AccountPasswordChangeInput!) { accountPasswordChangeSubmit(data: $d) "
        "{ ok errors { field codes } } }"
    )
    data = {"d": {"currentPassword": "correct horse 1", "newPassword": "a new secret 42"}}
    anonymous = Browser().call(change, data)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    make_user()
    browser = Browser()
    log_in(browser)
    wrong = browser.data(change, {"d": {**data["d"], "currentPassword": "nope"}})
    assert wrong["accountPasswordChangeSubmit"]["errors"] == [
        {"field": "currentPassword", "codes": ["enter_current_password"]}
    ]
    assert browser.data(change, data) == {"accountPasswordChangeSubmit": {"ok": True, "errors": []}}
    assert log_in(Browser(), password="a new secret 42")["data"]["accountLoginSubmit"]["ok"]


def test_social_login_with_the_dummy_provider() -> None:
    browser = Browser()
    providers = browser.data("{ accountProviders { id name } }")["accountProviders"]
    assert {"id": "dummy", "name": "Dummy"} in providers
    started = browser.data(
        'mutation { accountProviderRedirect(provider: "dummy", callbackUrl: "/done/") { url } }'
    )
    url = started["accountProviderRedirect"]["url"]
    page = browser.client.get(url, follow=True)  # to the dummy provider's own page
    assert page.status_code == 200
    action = page.redirect_chain[-1][0] if page.redirect_chain else url
    form_url = re.search(rb'action="([^"]+)"', page.content)
    assert form_url, page.content[:500]
    done = browser.client.post(
        form_url.group(1).decode().replace("&amp;", "&"),
        {
            "id": "123",
            "email": "social@example.com",
            "email_verified": "on",
            "csrfmiddlewaretoken": TOKEN,
        },
        HTTP_X_CSRFTOKEN=TOKEN,
    )
    assert done.status_code == 302 and done["Location"] == "/done/", (action, done)
    assert browser.state()["accountState"]["user"] == {
        "email": "social@example.com",
        "emailVerified": True,
    }


def test_provider_redirect_refuses_another_site_as_callback() -> None:
    answer = Browser().call(
        'mutation { accountProviderRedirect(provider: "dummy", '
        'callbackUrl: "https://evil.example/") { url } }'
    )
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "callbackUrl" in answer["errors"][0]["message"]


def test_sign_up_with_a_taken_address_reveals_nothing() -> None:
    make_user()
    browser = Browser()
    checked = browser.data(
        "query($d: AccountSignupInput!) { accountSignupValidate(data: $d) { ok } }",
        {"d": {"email": "ada@example.com", "password": "a long pass 77"}},
    )
    assert checked == {"accountSignupValidate": {"ok": True}}  # ACCOUNT_PREVENT_ENUMERATION
    signed = browser.data(SIGNUP, {"d": {"email": "ada@example.com", "password": "a long pass 77"}})
    assert signed["accountSignupSubmit"]["ok"] is True
    assert "already" in mail.outbox[-1].body  # the owner is told by email, not the caller
    assert get_user_model().objects.count() == 1

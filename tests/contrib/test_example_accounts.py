"""The example project's accounts, as a visitor uses them: sign up, follow the emailed
link, log in, see ``currentUser``, log out (mizan.contrib.allauth with real allauth)."""

from __future__ import annotations

from pathlib import Path

from tests.test_example_project import manage

SCRIPT = r"""
import json, re
from urllib.parse import unquote
from django.core import mail
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # the locmem email backend: mail.outbox holds what was sent

def call(client, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}})
    token = client.cookies["csrftoken"].value
    return client.post("/api/mizan/graphql/", body, content_type="application/json",
                       HTTP_X_CSRFTOKEN=token).json()

visitor = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
page = visitor.get("/account/")
assert page.status_code == 200 and b'data-form="accountSignup"' in page.content, page.status_code
signup = call(visitor, "mutation($d: AccountSignupInput!) { accountSignupSubmit(data: $d) "
              "{ ok errors { field } result { pending } } }",
              {"d": {"email": "ada@example.com", "username": "ada", "password": "lovelace 1815"}})
assert signup["data"]["accountSignupSubmit"] == {"ok": True, "errors": [],
                                                 "result": {"pending": "verify_email"}}, signup
link = re.search(r"http://localhost/account/verify-email/(\S+)/", mail.outbox[-1].body).group(0)
landing = visitor.get(link.removeprefix("http://localhost"))
assert landing.status_code == 200 and b'data-form="accountVerifyEmail"' in landing.content
key = unquote(link.rstrip("/").rsplit("/", 1)[1])
verified = call(visitor, "mutation($d: AccountVerifyEmailInput!) { accountVerifyEmailSubmit("
                "data: $d) { ok } }", {"d": {"key": key}})
assert verified["data"] == {"accountVerifyEmailSubmit": {"ok": True}}, verified
login = call(visitor, "mutation($d: AccountLoginInput!) { accountLoginSubmit(data: $d) "
             "{ ok result { user { username } } } }",
             {"d": {"username": "ada", "password": "lovelace 1815"}})
assert login["data"]["accountLoginSubmit"] == {"ok": True, "result": {"user": {"username": "ada"}}}
assert login["extensions"]["invalidate"] == [{"context": "global", "params": {}}], login
me = visitor.get("/api/mizan/graphql/", {"query": "{ currentUser { username } }"},
                 HTTP_ACCEPT="application/json").json()
assert me["data"]["currentUser"]["username"] == "ada", me
out = call(visitor, "mutation { accountLogout { user { username } } }")
assert out["data"] == {"accountLogout": {"user": None}}, out
me = visitor.get("/api/mizan/graphql/", {"query": "{ currentUser { username } }"},
                 HTTP_ACCEPT="application/json").json()
assert me["data"]["currentUser"] is None, me
print("accounts ok")
"""


def test_example_sign_up_verify_log_in_log_out(tmp_path: Path) -> None:
    assert manage("migrate", "--noinput", tmp_path=tmp_path).returncode == 0
    result = manage("shell", "-c", SCRIPT, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accounts ok" in result.stdout

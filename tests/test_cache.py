"""The server cache's guarantees: no leak between users, one computation per miss,
a broken backend never breaks a call, and a real Redis shared between processes."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from pydantic import BaseModel

from mizan.client import client
from mizan.testing import MizanTestClient
from tests import services

pytestmark = pytest.mark.django_db(transaction=True)

calls: Counter[str] = Counter()


class Me(BaseModel):
    username: str
    session: str | None


@pytest.fixture(autouse=True)
def functions() -> None:
    calls.clear()

    @client(context="global")
    def current_user(request) -> Me:
        calls["me"] += 1
        session = request.session.get("name")
        return Me(username=request.user.username or "anonymous", session=session)

    @client(context="catalog", public=True)
    def greeting(request) -> str:
        calls["greeting"] += 1
        return translation.gettext("Hello") + f" ({translation.get_language()})"


ME = "{ currentUser { username session } }"


def me(client: Client) -> dict[str, Any]:
    response = client.post(
        "/api/mizan/graphql/", json.dumps({"query": ME}), content_type="application/json"
    )
    return dict(response.json()["data"]["currentUser"])


@pytest.mark.usefixtures("cache_backend")
def test_no_cross_user_leak_with_many_users_and_sessions() -> None:
    users = [User.objects.create_user(f"user{i}") for i in range(5)]
    browsers = []
    for user in users:
        browser = Client()
        browser.force_login(user)
        browsers.append((browser, {"username": user.username, "session": None}))
    for i in range(3):  # anonymous visitors, each with a session of their own
        browser = Client()
        session = browser.session
        session["name"] = f"visitor{i}"
        session.save()
        browser.cookies["sessionid"] = session.session_key
        browsers.append((browser, {"username": "anonymous", "session": f"visitor{i}"}))
    cookieless = (Client(), {"username": "anonymous", "session": None})
    for _ in range(3):  # interleaved and repeated
        for browser, expected in [*browsers, cookieless]:
            assert me(browser) == expected
    # Each user and each session computed once; a visitor without a session is never cached.
    assert calls["me"] == len(browsers) + 3


@pytest.mark.usefixtures("cache_backend")
def test_language_is_part_of_the_key() -> None:
    caller = MizanTestClient()
    with translation.override("fr"):
        assert caller.call("greeting").data.endswith("(fr)")
    with translation.override("en"):
        assert caller.call("greeting").data.endswith("(en)")
        assert caller.call("greeting").data.endswith("(en)")
    assert calls["greeting"] == 2


@pytest.mark.usefixtures("cache_backend")
def test_concurrent_misses_compute_once() -> None:
    started = threading.Event()
    release = threading.Event()

    @client(context="slow", public=True)
    def slow(request) -> int:
        calls["slow"] += 1
        started.set()
        release.wait(5)
        return 42

    results: list[Any] = []

    def call() -> None:
        try:
            results.append(MizanTestClient().call("slow").data)
        finally:
            services.close_thread_caches()

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    started.wait(5)
    time.sleep(0.1)  # let the others reach the lock
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == [42] * 6
    assert calls["slow"] == 1


class BrokenCache:
    """A cache backend whose server is gone: every operation raises."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("cache server unreachable")

        return fail


def test_a_broken_backend_degrades_to_computing(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {"default": {"BACKEND": "tests.test_cache.BrokenCache"}}
    with caplog.at_level(logging.WARNING, logger="mizan.cache"):
        assert MizanTestClient().call("greeting").data.startswith("Hello")
        assert MizanTestClient().call("greeting").ok
    assert calls["greeting"] == 2
    assert "cache server unreachable" in caplog.text


def test_the_cache_alias_is_a_setting(settings: Any) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "tests.test_cache.BrokenCache"},
        "mizan": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "alias-test",
        },
    }
    settings.MIZAN = {"CACHE_ALIAS": "mizan"}
    MizanTestClient().call("greeting")
    MizanTestClient().call("greeting")
    assert calls["greeting"] == 1


def test_ssr_hydration_embeds_the_global_context_safely() -> None:
    user = User.objects.create_user("</script><!--evil")
    request = MizanTestClient(user=user)._request()
    html = Template("{% load mizan %}{% mizan_hydrate %}").render(Context({"request": request}))
    assert html.startswith('<script id="mizan-global" type="application/json">')
    assert "</script><!--" not in html[: -len("</script>")]
    payload = html.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(payload) == {
        "currentUser": {"username": "</script><!--evil", "session": None}
    }


def test_ssr_hydration_needs_the_request() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match=r"context_processors\.request"):
        Template("{% load mizan %}{% mizan_hydrate %}").render(Context({}))


# --- the real Redis, across processes ----------------------------------------------

SCRIPT = r"""
import os, sys, django
sys.path.insert(0, os.environ["ROOT"])
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
from django.conf import settings
django.setup()
from django.test.utils import override_settings
from pathlib import Path
from mizan import invalidate
from mizan.client import client
from mizan.testing import MizanTestClient

@client(context="shared", public=True)
def value(request) -> str:
    return Path(os.environ["SOURCE"]).read_text()

caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["REDIS"], "KEY_PREFIX": os.environ["PREFIX"]}}
with override_settings(CACHES=caches):
    for step in sys.argv[1:]:
        if step == "read":
            print(MizanTestClient().call("value").data)
        elif step == "invalidate":
            invalidate("shared")
"""


def run_process(tmp_path: Path, env: dict[str, str], *steps: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *steps],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_two_processes_share_the_redis_cache(tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    env = {
        "ROOT": str(Path(__file__).parent.parent),
        "SOURCE": str(source),
        "REDIS": services.need_redis(),
        "PREFIX": os.urandom(8).hex(),
    }
    source.write_text("v1")
    assert run_process(tmp_path, env, "read") == "v1"
    source.write_text("v2")
    # Another process is served from Redis, then invalidates for everyone.
    assert run_process(tmp_path, env, "read", "invalidate") == "v1"
    assert run_process(tmp_path, env, "read") == "v2"


@pytest.fixture
def private_redis(tmp_path: Path) -> Any:
    """A redis-server of this test's own on a free port: the shared one is never stopped."""
    binary = services.need_program("redis-server")
    port = services.free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not services.listening("127.0.0.1", port):
        assert time.monotonic() < deadline, "private redis-server did not start"
        time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}"
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(5)


def test_redis_dying_mid_test_never_breaks_a_call(private_redis: Any, settings: Any) -> None:
    process, location = private_redis
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    }
    caller = MizanTestClient()
    assert caller.call("greeting").ok
    assert caller.call("greeting").ok
    assert calls["greeting"] == 1  # cached in the private Redis
    process.send_signal(signal.SIGKILL)
    process.wait(5)
    for _ in range(3):
        result = caller.call("greeting")
        assert result.ok and result.data.startswith("Hello")
    assert calls["greeting"] == 4  # computed every time while the cache is gone

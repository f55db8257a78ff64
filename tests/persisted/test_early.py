"""The early answer (ASGI and WSGI): public persisted hits before Django's handler, nothing else."""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from pydantic import BaseModel

from mizan import invalidate, wrap_asgi, wrap_wsgi
from mizan.client import client
from mizan.persisted import early, endpoints
from mizan.persisted.early import EarlyAnswerWSGI
from mizan.runtime import get_runtime

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("cache_backend")]

NAMES = {5: "five", 6: "six"}
calls: Counter[str] = Counter()


class Profile(BaseModel):
    name: str


@pytest.fixture(autouse=True)
def functions(monkeypatch: pytest.MonkeyPatch) -> None:
    calls.clear()

    @client(context="user", public=True, ttl=120)
    def user_profile(request, user_id: int) -> Profile:
        calls["profile"] += 1
        return Profile(name=NAMES[user_id])

    @client(context="global")
    def current_user(request) -> str:
        return request.user.username or "anonymous"

    get_runtime()  # as after the first requests: before, every request goes to Django

    real = endpoints.serve

    def serve(*args: Any) -> Any:  # counts what reaches Django's view
        calls["django"] += 1
        return real(*args)

    monkeypatch.setattr(endpoints, "serve", serve)


@pytest.fixture(params=["asgi", "wsgi"])
def app(request: pytest.FixtureRequest) -> Any:
    """The early answer in front of Django's ASGI handler, or of its WSGI handler."""
    if request.param == "wsgi":
        return wrap_wsgi(get_wsgi_application())
    return wrap_asgi(get_asgi_application())


async def request(
    app: Any, path: str, method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None
) -> dict[str, Any]:
    if isinstance(app, EarlyAnswerWSGI):
        return await sync_to_async(wsgi_request)(app, path, method, headers or [])
    path, _, query = path.partition("?")
    communicator = HttpCommunicator(app, method, path, headers=headers)
    communicator.scope["query_string"] = query.encode()
    response: dict[str, Any] = await communicator.get_response(timeout=5)
    await communicator.wait(5)  # Django closes the request, the early answer keeps the reply
    response["headers"] = sorted((bytes(n).lower(), bytes(v)) for n, v in response["headers"])
    return response


def wsgi_request(
    app: Any, path: str, method: str, headers: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    for name, value in headers:
        environ["HTTP_" + name.decode().upper().replace("-", "_")] = value.decode()
    started: list[Any] = []
    result = app(
        environ, lambda status, response_headers, *exc: started.extend([status, response_headers])
    )
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, response_headers = started
    return {
        "status": int(status.split()[0]),
        "headers": sorted((n.lower().encode(), v.encode()) for n, v in response_headers),
        "body": b"" if method == "HEAD" else body,  # as a server sends it
    }


URL = "/api/mizan/ctx/user/?user_id=5"


async def test_a_public_hit_is_answered_with_what_django_answered(app: Any, settings: Any) -> None:
    miss = await request(app, URL)
    early_hit = await request(app, URL)
    assert calls == {"django": 1, "profile": 1}
    settings.MIZAN = {"EARLY_ANSWER": False}
    django_hit = await request(app, URL)
    assert calls == {"django": 2, "profile": 1}
    assert early_hit == django_hit == miss  # status, every header, the bytes
    assert dict(early_hit["headers"])[b"cache-control"] == b"public, max-age=0, s-maxage=120"


@pytest.mark.parametrize("wrap", [wrap_asgi, wrap_wsgi])
async def test_the_middleware_headers_are_replayed(settings: Any, wrap: Any) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.middleware.security.SecurityMiddleware"]
    loaded = get_asgi_application if wrap is wrap_asgi else get_wsgi_application
    app = wrap(loaded())
    await request(app, URL)
    hit = await request(app, URL)
    assert calls["django"] == 1
    assert dict(hit["headers"])[b"x-content-type-options"] == b"nosniff"


async def test_q_urls_too_and_the_debug_header_says_hit(app: Any, settings: Any) -> None:
    settings.MIZAN = {"DEBUG_HEADERS": True}
    url = "/api/mizan/q/UserProfile/?user_id=6"
    assert dict((await request(app, url))["headers"])[b"x-mizan-cache"].startswith(b"miss;")
    hit = await request(app, url)
    assert calls["django"] == 1
    assert hit["body"] == b'{"data":{"userProfile":{"name":"six"}}}'
    assert (
        dict(hit["headers"])[b"x-mizan-cache"] == b'hit; scope=public; keys="user user;user_id=6"'
    )


async def test_head_and_conditional_gets(app: Any) -> None:
    first = await request(app, URL)
    head = await request(app, URL, "HEAD")
    assert (head["status"], head["body"], head["headers"]) == (200, b"", first["headers"])
    assert calls["django"] == 1
    etag = dict(first["headers"])[b"etag"]
    not_modified = await request(app, URL, headers=[(b"if-none-match", b"W/" + etag)])
    assert (not_modified["status"], not_modified["body"]) == (304, b"")
    assert b"content-type" not in dict(not_modified["headers"])
    assert dict(not_modified["headers"])[b"etag"] == etag
    assert calls["django"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/mizan/ctx/global/",  # private: per user or session, never shared
        "/api/mizan/q/CurrentUser/",
        "/api/mizan/ctx/user/?user_id=05",  # not canonical: Django redirects
        "/api/mizan/ctx/user/?user_id=5&x=1",  # an unknown parameter: Django's 400
        "/api/mizan/q/Nothing/",  # 404
    ],
)
async def test_everything_else_reaches_django(app: Any, url: str) -> None:
    first, second = await request(app, url), await request(app, url)
    assert calls["django"] == 2
    assert first["status"] == second["status"]


async def test_other_methods_reach_django(app: Any) -> None:
    await request(app, URL)
    response = await request(app, URL, "POST")
    assert response["status"] == 405 and calls["django"] == 2


async def test_an_invalidation_makes_it_miss(app: Any) -> None:
    await request(app, URL)
    await request(app, URL)
    NAMES[5] = "FIVE"
    try:
        await invalidate_async("user", user_id=5)
        fresh = await request(app, URL)
        assert fresh["body"] == b'{"data":{"userProfile":{"name":"FIVE"}}}'
        assert calls == {"django": 2, "profile": 2}
        assert (await request(app, URL))["body"] == fresh["body"]
        assert calls["django"] == 2
    finally:
        NAMES[5] = "five"


async def invalidate_async(context: str, **params: Any) -> None:
    await sync_to_async(invalidate)(context, **params)


async def test_only_to_the_same_host(app: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    host = [(b"host", b"testserver")]
    await request(app, URL, headers=host)
    refused = await request(app, URL, headers=[(b"host", b"evil.example")])
    assert refused["status"] == 400  # Django's answer to a host not in ALLOWED_HOSTS
    assert (await request(app, URL, headers=host))["status"] == 200
    assert calls["django"] == 1  # the disallowed host reached Django, but not its view
    await request(app, URL, headers=[(b"host", b"localhost")])  # another host: Django
    assert calls["django"] == 2


async def test_a_request_that_django_refuses_is_never_answered_early(
    app: Any, settings: Any
) -> None:
    await request(app, URL)
    settings.DISALLOWED_USER_AGENTS = [re.compile(r"^bad")]  # CommonMiddleware's 403, by User-Agent
    refused = await request(app, URL, headers=[(b"user-agent", b"badbot")])
    assert refused["status"] == 403  # from CommonMiddleware, which the request reached


async def test_turned_off(app: Any, settings: Any) -> None:
    settings.MIZAN = {"EARLY_ANSWER": False}
    await request(app, URL)
    await request(app, URL)
    assert calls["django"] == 2


def headers(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in pairs]


PUBLIC = ("Cache-Control", "public, max-age=0, s-maxage=60")


@pytest.mark.parametrize(
    ("status", "response_headers", "kept"),
    [
        (200, headers(PUBLIC), True),
        (200, headers(PUBLIC, ("Vary", "Origin")), True),
        (304, headers(PUBLIC), False),
        (200, headers(("Cache-Control", "private, no-cache")), False),
        (200, headers(PUBLIC, ("Set-Cookie", "csrftoken=x")), False),
        (200, headers(PUBLIC, ("Vary", "Accept-Encoding, Cookie")), False),
        (200, headers(PUBLIC, ("vary", "*")), False),
        (200, headers(("Cache-Control", "public, no-store")), False),
    ],
)
async def test_what_may_be_kept(status: int, response_headers: Any, kept: bool) -> None:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    recorder = early.Recorder(send)
    await recorder({"type": "http.response.start", "status": status, "headers": response_headers})
    await recorder({"type": "http.response.body", "body": b"{}"})
    scope = {"scheme": "http", "headers": [(b"host", b"a"), (b"origin", b"https://b")]}
    answer = recorder.keepable(scope, early._request_headers(scope))
    assert (answer is not None) is kept
    assert len(sent) == 2  # passed on unchanged either way
    if answer is not None and (b"Vary", b"Origin") in response_headers:
        assert answer[0] == ("http", b"a", ((b"origin", b"https://b"),))


async def test_other_pages_are_not_even_resolved(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[str] = []
    real = early.resolve

    def counting(path: str) -> Any:
        resolved.append(path)
        return real(path)

    monkeypatch.setattr(early, "resolve", counting)
    assert (await request(app, "/api/mizan/graphql/?query={__typename}"))["status"] == 200
    assert (await request(app, "/elsewhere/"))["status"] == 404
    assert resolved == []
    await request(app, URL)
    assert resolved == ["/api/mizan/ctx/user/"]

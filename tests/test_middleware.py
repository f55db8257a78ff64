"""Both middlewares, under WSGI and under ASGI (where they run on the event loop)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client
from django.urls import path

from mizan import client, invalidate

INVALIDATION = "mizan.middleware.InvalidationMiddleware"
VIEW_PATH = "mizan.middleware.ViewPathCacheMiddleware"


def note(request: HttpRequest, user_id: int) -> HttpResponse:
    invalidate("user", user_id=user_id)
    return HttpResponse("noted")


async def async_note(request: HttpRequest, user_id: int) -> HttpResponse:
    await sync_to_async(invalidate)("user", user_id=user_id)
    return HttpResponse("noted")


def profile_page(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(f"profile {user_id}")


async def async_profile_page(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(f"profile {user_id}")


urlpatterns = [
    path("note/<int:user_id>/", note),
    path("async-note/<int:user_id>/", async_note),
    path("profile/<int:user_id>/", profile_page),
    path("async-profile/<int:user_id>/", async_profile_page),
]


@pytest.fixture(autouse=True)
def setup(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.test_middleware"
    settings.MIDDLEWARE = [VIEW_PATH, INVALIDATION, *settings.MIDDLEWARE]

    def user_profile(request: HttpRequest, user_id: int) -> str:
        return ""

    client(context="user", public=True, ttl=60)(user_profile)
    client(context="user")(profile_page)
    client(context="user")(async_profile_page)


async def get(transport: str, url: str) -> Any:
    if transport == "asgi":
        return await AsyncClient().get(url)
    return await sync_to_async(Client().get)(url)


TRANSPORTS = pytest.mark.parametrize("transport", ["wsgi", "asgi"])


@pytest.mark.django_db(transaction=True)  # invalidations apply on commit
@TRANSPORTS
@pytest.mark.parametrize("view", ["note", "async-note"])
async def test_a_view_that_invalidates_reports_it_in_the_header(transport: str, view: str) -> None:
    response = await get(transport, f"/{view}/5/")
    assert response.status_code == 200
    assert response["X-Mizan-Invalidate"] == "user;user_id=5"
    assert response["Access-Control-Expose-Headers"] == "X-Mizan-Invalidate"


@TRANSPORTS
@pytest.mark.parametrize("view", ["profile", "async-profile"])
async def test_a_view_path_page_gets_its_contexts_policy(transport: str, view: str) -> None:
    response = await get(transport, f"/{view}/7/")
    assert response.content == b"profile 7"
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert response["xkey"] == "user user;user_id=7"
    assert "X-Mizan-Invalidate" not in response


@TRANSPORTS
async def test_other_pages_are_left_alone(transport: str) -> None:
    response = await get(transport, "/api/mizan/graphql/?query=%7B__typename%7D")
    assert "xkey" not in response and "X-Mizan-Invalidate" not in response


class SyncOnly:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)


def adapted(middleware: list[str], caplog: pytest.LogCaptureFixture) -> list[str]:
    """The middlewares an ASGI stack wraps in a thread switch (Django logs each, in DEBUG)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        ASGIHandler().load_middleware(is_async=True)
    return sorted({r.getMessage() for r in caplog.records if "adapted" in r.getMessage()})


def test_under_asgi_both_run_on_the_event_loop(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = True
    settings.MIDDLEWARE = [VIEW_PATH, INVALIDATION]
    assert adapted(settings.MIDDLEWARE, caplog) == []
    settings.MIDDLEWARE = [VIEW_PATH, "tests.test_middleware.SyncOnly", INVALIDATION]
    assert adapted(settings.MIDDLEWARE, caplog) == [  # the test can fail
        "Asynchronous handler adapted for middleware tests.test_middleware.SyncOnly."
    ]

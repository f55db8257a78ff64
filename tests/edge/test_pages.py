"""ViewPathCacheMiddleware: view-path pages carry their context's policy and keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client

from mizan.client import client
from tests.edge import urls

MIDDLEWARE = "mizan.middleware.ViewPathCacheMiddleware"


@pytest.fixture(autouse=True)
def setup(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.edge.urls"
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]


def user_profile(request: HttpRequest, user_id: int) -> str:
    return ""


def public_user_context() -> None:
    client(context="user", public=True, ttl=120)(user_profile)
    client(context="user")(urls.by_slug)
    client(context="user")(urls.profile_page)


def test_a_public_page_is_shared_cacheable_with_the_keys_of_its_scope() -> None:
    public_user_context()
    response = Client().get("/people/5/posts/hello/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
    assert response["xkey"] == "user user;user_id=5"
    assert response["Surrogate-Key"] == "user user;user_id=5"
    assert response["Cache-Tag"] == "user, user;user_id=5"
    etag = response["ETag"]
    again = Client().get("/people/5/posts/hello/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["xkey"] == "user user;user_id=5"


def test_a_view_that_sets_its_own_cache_control_keeps_it_but_gets_keys() -> None:
    public_user_context()
    response = Client().get("/people/6/")  # routed through cache_control(max_age=60)
    assert response["Cache-Control"] == "max-age=60"
    assert response["xkey"] == "user user;user_id=6"


def test_a_private_context_page_is_private() -> None:
    def inbox(request: HttpRequest, user_id: int) -> str:
        return ""

    client(context="inbox")(inbox)
    client(context="inbox")(urls.by_slug)
    response = Client().get("/people/5/posts/hello/")
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"]
    assert not response.has_header("xkey")


def test_a_page_that_sets_a_cookie_is_never_public(settings: Any) -> None:
    def cookie_page(request: HttpRequest, user_id: int) -> HttpResponse:
        response = HttpResponse("hi")
        response.set_cookie("seen", "1")
        return response

    settings.ROOT_URLCONF = "tests.edge.test_pages"
    client(context="user", public=True)(cookie_page)
    global urlpatterns
    from django.urls import clear_url_caches, path

    urlpatterns = [path("c/<int:user_id>/", cookie_page)]
    clear_url_caches()
    response = Client().get("/c/5/")
    assert response["Cache-Control"] == "private, no-cache"
    assert not response.has_header("xkey")


def test_other_views_errors_and_posts_are_left_alone() -> None:
    public_user_context()
    other = Client().get("/legacy/5/")  # routed, but not a mizan function
    assert not other.has_header("Cache-Control") and not other.has_header("xkey")
    posted = Client().post("/people/5/posts/hello/")
    assert not posted.has_header("xkey") and not posted.has_header("Cache-Control")
    missing = Client().get("/people/x/posts/hello/")
    assert missing.status_code == 404 and not missing.has_header("xkey")


def test_only_the_canonical_url_of_a_page_is_shared_cacheable() -> None:
    public_user_context()
    canonical = Client().get("/people/5/posts/hello/")
    assert canonical["Cache-Control"] == "public, max-age=0, s-maxage=120"
    for spelling in ("/people/05/posts/hello/", "/people/5/posts/hello/?utm_source=news"):
        response = Client().get(spelling)
        assert response.status_code == 200, spelling
        assert response["Cache-Control"] == "private, no-cache", spelling
        assert "Cookie" in response["Vary"] and not response.has_header("xkey"), spelling
    # A view's own Cache-Control gives way too: another spelling is never shareable.
    own = Client().get("/people/06/")
    assert own["Cache-Control"] == "private, no-cache" and not own.has_header("xkey")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("cache_backend")
def test_a_page_made_while_its_scope_was_invalidated_is_private(settings: Any) -> None:
    from mizan import invalidate

    def racing_page(request: HttpRequest, user_id: int) -> HttpResponse:
        invalidate("user", user_id=user_id)  # a write commits while the page is made
        return HttpResponse("page")

    settings.ROOT_URLCONF = "tests.edge.test_pages"
    client(context="user", public=True)(user_profile)
    client(context="user")(racing_page)
    client(context="user")(urls.profile_page)
    global urlpatterns
    from django.urls import clear_url_caches, path

    urlpatterns = [
        path("r/<int:user_id>/", racing_page),
        path("p/<int:user_id>/", urls.profile_page),
    ]
    clear_url_caches()
    raced = Client().get("/r/5/")
    assert raced["Cache-Control"] == "private, no-cache" and not raced.has_header("xkey")
    calm = Client().get("/p/5/")  # its scope moved before it began: shareable
    assert calm["Cache-Control"] == "public, max-age=0, s-maxage=300"
    assert calm["xkey"] == "user user;user_id=5"


urlpatterns: list[Any] = []

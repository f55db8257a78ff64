"""A URLconf with view-path functions routed every way Django allows. The functions are
registered by each test (``client(context=...)(fn)``) into its fresh registry."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control


def profile_page(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(f"profile {user_id}")


def by_slug(request: HttpRequest, user_id: int, slug: str) -> HttpResponse:
    return HttpResponse(slug)


def by_uuid(request: HttpRequest, user_id: int, token: str) -> HttpResponse:
    return HttpResponse(token)


def files(request: HttpRequest, user_id: int, rest: str) -> HttpResponse:
    return HttpResponse(rest)


def legacy(request: HttpRequest, user_id: str) -> HttpResponse:
    return HttpResponse(user_id)


def clever(request: HttpRequest, user_id: str) -> HttpResponse:
    return HttpResponse(user_id)


def unrouted(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse("nowhere")


people = [
    path("<int:user_id>/", cache_control(max_age=60)(profile_page)),
    path("<int:user_id>/posts/<slug:slug>/", by_slug),
    path("<int:user_id>/tokens/<uuid:token>/", by_uuid),
    path("<int:user_id>/files/<path:rest>", files),
]

urlpatterns = [
    path("api/mizan/", include("mizan.urls")),
    path("people/", include(people)),
    re_path(r"^legacy/(?P<user_id>[0-9]+)/$", legacy),
    re_path(r"^clever/(?P<user_id>[0-9]+)(?:/extra)?/$", clever),
]

import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from demo.models import Profile

# The React front end (js/app/), built by `make demo` when Node is there; never committed.
APP = Path(__file__).resolve().parent / "static" / "demo" / "app" / "app.js"
APP_PAGES = {"": "home", "me/": "me", "contact/": "contact", "chat/": "chat"}


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/home.html", {"app_built": APP.is_file()})


@ensure_csrf_cookie  # the app's mutations send it (its client reads the cookie)
def app(request: HttpRequest, page: str) -> HttpResponse:
    """The React app's pages, each drawn by the app from the page name; without the build,
    a page that says how to get it and links to the server-rendered pages."""
    if not APP.is_file():
        return render(request, "demo/app_missing.html", status=503)
    return render(request, "demo/app.html", {"page": page})


@ensure_csrf_cookie  # the page's script sends the token with every POST
def forms_page(request: HttpRequest) -> HttpResponse:
    """The contact and profile forms, drawn in the browser from their schema queries."""
    profile = (
        Profile.objects.filter(owner=request.user).first()
        if request.user.is_authenticated
        else None
    )
    return render(request, "demo/forms.html", {"profile": profile})


@ensure_csrf_cookie
def account_page(request: HttpRequest, form: str | None = None, key: str = "") -> HttpResponse:
    """Sign up, log in and out, reset a password: mizan.contrib.allauth's forms, drawn like
    the others. An emailed link lands here with its key filled in."""
    if form is not None:
        forms = [(form, json.dumps({"key": key}))]
    elif request.user.is_authenticated:
        forms = [("accountPasswordChange", "{}")]
    else:
        forms = [(name, "{}") for name in ("accountLogin", "accountSignup", "accountPasswordReset")]
    return render(request, "demo/forms.html", {"account_forms": forms, "account": True})


@login_required
@ensure_csrf_cookie  # the page posts with the token from the csrftoken cookie
def chat(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/chat.html", {"room": request.GET.get("room", "lobby")})

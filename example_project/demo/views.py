from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/home.html")


@login_required
@ensure_csrf_cookie  # the page posts with the token from the csrftoken cookie
def chat(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/chat.html", {"room": request.GET.get("room", "lobby")})

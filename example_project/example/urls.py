from demo.views import chat, home
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", home, name="home"),
    path("chat/", chat, name="chat"),
    path("admin/", admin.site.urls),
    path("api/mizan/", include("mizan.urls")),
]

from demo.mizan_clients import profile_page
from demo.views import chat, forms_page, home
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", home, name="home"),
    path("profile/<int:user_id>/", profile_page, name="profile"),
    path("forms/", forms_page, name="forms"),
    path("chat/", chat, name="chat"),
    path("admin/", admin.site.urls),
    path("api/mizan/", include("mizan.urls")),
]

from demo.mizan_clients import profile_page
from demo.views import APP_PAGES, app, chat, forms_page, home
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", home, name="home"),
    path("profile/<int:user_id>/", profile_page, name="profile"),
    path("forms/", forms_page, name="forms"),
    path("chat/", chat, name="chat"),
    *(
        path(f"app/{url}", app, {"page": page}, name=f"app-{page}")
        for url, page in APP_PAGES.items()
    ),
    path("admin/", admin.site.urls),
    path("api/mizan/", include("mizan.urls")),
]

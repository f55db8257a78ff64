from demo.mizan_clients import profile_page
from demo.views import APP_PAGES, account_page, app, chat, forms_page, home
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
    path("account/", account_page, name="account"),
    path("account/verify-email/<str:key>/", account_page, {"form": "accountVerifyEmail"}),
    path(
        "account/reset-password/<str:key>/", account_page, {"form": "accountPasswordResetConfirm"}
    ),
    path("admin/", admin.site.urls),
    path("api/mizan/", include("mizan.urls")),
    # allauth's own views: the redirects its flows build, and social providers' callbacks.
    path("accounts/", include("allauth.urls")),
]

from django.urls import include, path

urlpatterns = [
    path("api/mizan/", include("mizan.urls")),
    path("accounts/", include("allauth.urls")),
]

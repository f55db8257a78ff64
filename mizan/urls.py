"""``path("api/mizan/", include("mizan.urls"))``."""

from django.urls import path

from mizan.views import MizanGraphQLView

app_name = "mizan"

urlpatterns = [
    path("graphql/", MizanGraphQLView.as_view(), name="graphql"),
]

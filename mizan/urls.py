"""``path("api/mizan/", include("mizan.urls"))``."""

from django.urls import path

from mizan.persisted.endpoints import context_view, operation_view
from mizan.views import MizanGraphQLView

app_name = "mizan"

urlpatterns = [
    path("graphql/", MizanGraphQLView.as_view(), name="graphql"),
    path("ctx/<str:context>/", context_view, name="context"),
    path("q/<str:operation>/", operation_view, name="operation"),
]

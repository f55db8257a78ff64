"""``path("api/mizan/", include("mizan.urls"))``."""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import path

from mizan.persisted.endpoints import context_view, operation_view
from mizan.views import MizanGraphQLView

if not apps.is_installed("mizan"):
    # Served without the app, mizan would work but never run its system checks: a
    # declaration mistake would pass `manage.py check` and fail on the first request.
    raise ImproperlyConfigured(
        "mizan.urls is included but 'mizan' is not in INSTALLED_APPS, so none of mizan's "
        "system checks run (a function that cannot be compiled would pass `manage.py "
        'check` and fail on its first request). Add "mizan" to INSTALLED_APPS.'
    )

app_name = "mizan"

urlpatterns = [
    path("graphql/", MizanGraphQLView.as_view(), name="graphql"),
    path("ctx/<str:context>/", context_view, name="context"),
    path("q/<str:operation>/", operation_view, name="operation"),
]

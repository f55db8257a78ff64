from importlib.util import find_spec

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from bench.project.books import schema as books_schema
from bench.project.hand_written import schema, tuned_schema
from bench.project.views import plain_echo, plain_product, plain_product_async

urlpatterns = [
    path("plain/echo/", plain_echo),
    path("plain/product/", plain_product),
    path("plain/product-async/", plain_product_async),
    # Strawberry's Django view is not CSRF-exempt; every Strawberry app wraps it like this.
    path("strawberry/", csrf_exempt(GraphQLView.as_view(schema=schema))),
    path("strawberry-tuned/", csrf_exempt(GraphQLView.as_view(schema=tuned_schema))),
    path("strawberry-django/", csrf_exempt(GraphQLView.as_view(schema=books_schema))),
    path("api/mizan/", include("mizan.urls")),
]

if find_spec("ninja") is not None:  # requirements/bench.txt installs it; the tests need not
    from bench.project.ninja_api import api

    urlpatterns.append(path("ninja/", api.urls))

"""(a): the plain Django views, the ceiling every GraphQL variant is measured against."""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.project.echo import echo, product


@csrf_exempt
@require_POST
def plain_echo(request: HttpRequest) -> JsonResponse:
    text = json.loads(request.body)["text"]
    return JsonResponse(echo(str(text)).model_dump())


def plain_product(request: HttpRequest) -> JsonResponse:
    """The same data as mizan's cached ``product`` read, built on every request."""
    product_id = int(request.GET["product_id"])
    return JsonResponse({"data": {"product": product(product_id).model_dump()}})


async def plain_product_async(request: HttpRequest) -> JsonResponse:
    """:func:`plain_product` as an async view: under ASGI, no thread hop for the view."""
    product_id = int(request.GET["product_id"])
    return JsonResponse({"data": {"product": product(product_id).model_dump()}})

"""(n) the same echo as a django-ninja endpoint (when django-ninja is installed)."""

from ninja import NinjaAPI, Schema

from bench.project.echo import Output, echo

api = NinjaAPI(urls_namespace="bench-ninja")


class EchoIn(Schema):
    text: str


@api.post("/echo", response=Output)
def ninja_echo(request: object, payload: EchoIn) -> Output:
    return echo(payload.text)

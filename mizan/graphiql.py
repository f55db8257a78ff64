"""mizan's GraphiQL: the page, its settings and its Content-Security-Policy.

The JavaScript and CSS are bundled from npm at build time (``js/graphiql/``, ``make
graphiql``) into ``mizan/static/mizan/graphiql/`` and ship in the wheel and the sdist, so
the explorer makes no request to another host. A source tree installed without Node has
no bundle: the page then says so, and how to build it, with a 503.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from graphql import (
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined

from mizan import auth
from mizan.schema import get_schema

ASSETS = Path(__file__).resolve().parent / "static" / "mizan" / "graphiql"
SCRIPT = "mizan/graphiql/graphiql.js"
WORKERS = {"editor": "editor.worker.js", "json": "json.worker.js", "graphql": "graphql.worker.js"}

REQUIREMENTS = {
    "AUTHENTICATED": "a logged-in user.",
    "STAFF": "a logged-in staff user.",
    "SUPERUSER": "a logged-in superuser.",
}

DEFAULT_QUERY = """\
# mizan's GraphiQL.
#
# Examples (in the left bar): this schema's
# persisted operations, ready to run.
# Docs: each field, with the login it needs.
# Run: Ctrl-Enter (Cmd-Enter on a Mac).

query {
  __typename
}
"""


def wants_graphiql(request: HttpRequest) -> bool:
    """A browser asking for a page: ``GET`` accepting ``text/html``, with no query, or with
    one when the browser is navigating to it (a shared ``?query=`` link opens prefilled).

    ``fetch()`` sends ``Accept: */*`` and ``Sec-Fetch-Dest: empty``, so a query sent by
    code always runs, whatever it accepts.
    """
    if request.method != "GET" or "text/html" not in request.headers.get("Accept", ""):
        return False
    return "query" not in request.GET or request.headers.get("Sec-Fetch-Dest") == "document"


def built() -> bool:
    return (ASSETS / "graphiql.js").is_file()


def page(request: HttpRequest) -> HttpResponse:
    """The GraphiQL page, or the page that says how to build its assets."""
    if not built():
        response = HttpResponse(
            render_to_string("mizan/graphiql_missing.html", {"assets": ASSETS}, request),
            status=503,
        )
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response
    nonce = secrets.token_urlsafe(18)
    context = {
        "nonce": nonce,
        "script": static(SCRIPT),
        "stylesheet": static("mizan/graphiql/graphiql.css"),
        "config": config(request),
    }
    response = HttpResponse(render_to_string("mizan/graphiql.html", context, request))
    response["Content-Security-Policy"] = content_security_policy(nonce)
    response["Cache-Control"] = "no-store"  # the page carries a nonce and a CSRF token
    return response


def config(request: HttpRequest) -> dict[str, Any]:
    """What the bundle reads from the page (``src/index.jsx``)."""
    compiled = get_schema()
    schema = compiled.schema._schema
    return {
        "url": request.path,
        "subscriptionUrl": request.path if schema.subscription_type else None,
        "csrfToken": get_token(request),
        "workers": {label: static(f"mizan/graphiql/{name}") for label, name in WORKERS.items()},
        "auth": requirements(),
        "examples": examples(),
        "defaultQuery": DEFAULT_QUERY,
    }


def requirements() -> dict[str, str]:
    """``{"Query.notes": "a logged-in user.", ...}``: each guarded root field's ``auth=``,
    as its description in the docs pane ends (introspection omits applied directives)."""
    compiled = get_schema()
    schema = compiled.schema._schema
    found: dict[str, str] = {}
    roots = [root for root in (schema.query_type, schema.mutation_type) if root is not None]
    for root in roots:
        for name in root.fields:
            definition = compiled.functions.get(name)
            if definition is None or definition.auth is None:
                continue
            if (level := auth.level(definition.auth)) in REQUIREMENTS:
                found[f"{root.name}.{name}"] = REQUIREMENTS[level]
            else:  # a callable
                label = getattr(definition.auth, "__qualname__", None) or repr(definition.auth)
                found[f"{root.name}.{name}"] = f"a caller that `{label}` allows."
    return found


def examples() -> list[dict[str, str]]:
    """The persisted operations, each with variables to edit and its ``GET`` URL."""
    compiled = get_schema()
    found = []
    for name, operation in sorted(compiled.operations.items()):
        specs = operation.variables.specs if operation.variables else {}
        variables = {
            variable: _placeholder(type_)
            for variable, (type_, default) in specs.items()
            if isinstance(type_, GraphQLNonNull) and default is Undefined
        }
        found.append(
            {
                "name": name,
                "query": operation.text,
                "variables": json.dumps(variables, indent=2) if variables else "",
                "url": _url(name, specs) if operation.is_query else "",
            }
        )
    return found


def content_security_policy(nonce: str) -> str:
    """Scripts only by nonce; Monaco's workers from the static files; styles inline too,
    since Monaco writes ``<style>`` elements at run time and takes no nonce for them."""
    static_origin = _origin(settings.STATIC_URL or "")
    extra = f" {static_origin}" if static_origin else ""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'nonce-{nonce}'",
            f"worker-src 'self'{extra}",
            f"style-src 'self' 'unsafe-inline'{extra}",
            f"font-src 'self' data:{extra}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _url(name: str, specs: dict[str, Any]) -> str:
    try:
        path = reverse("mizan:operation", kwargs={"operation": name})
    except NoReverseMatch:  # mizan's URLs are mounted under another namespace
        return ""
    return path + ("?" + "&".join(f"{variable}=…" for variable in sorted(specs)) if specs else "")


def _placeholder(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return _placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return []
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values), None)
    if isinstance(type_, GraphQLScalarType):
        return {"Int": 1, "Float": 1.0, "Boolean": False}.get(type_.name, "")
    return {}

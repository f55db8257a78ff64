"""``{% load mizan %}{% mizan_hydrate %}``: the global context, embedded in the page.

A front end reads it at start-up instead of making a round trip::

    JSON.parse(document.getElementById("mizan-global").textContent)

When script cannot read Django's CSRF cookie (``CSRF_COOKIE_HTTPONLY`` or
``CSRF_USE_SESSIONS``), the token is embedded too, as ``#mizan-csrf``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.html import json_script
from django.utils.safestring import SafeString

from mizan.contexts import GLOBAL
from mizan.naming import context_operation_name
from mizan.runtime import MizanContext, get_runtime

register = template.Library()

ELEMENT_ID = "mizan-global"
CSRF_ELEMENT_ID = "mizan-csrf"


def global_context(request: Any) -> dict[str, Any]:
    """The global context's data for ``request``, as a client reading its persisted
    operation would get it (a field that failed is null; the failure is logged)."""
    runtime = get_runtime()
    operation = runtime.compiled.operations.get(context_operation_name(GLOBAL))
    if operation is None:
        return {}
    result = runtime.execute_persisted(MizanContext(request=request), operation, {})
    return dict(result.data or {})


@register.simple_tag(takes_context=True)
def mizan_hydrate(context: template.Context) -> SafeString:
    request = context.get("request")
    if request is None:
        raise template.TemplateSyntaxError(
            "{% mizan_hydrate %} needs the request in the template context: add "
            "'django.template.context_processors.request' to your TEMPLATES' "
            "context_processors, or render with render(request, ...)."
        )
    # json_script escapes <, > and & so "</script>" or "<!--" in the data stay inert.
    embedded = json_script(global_context(request), ELEMENT_ID)
    if settings.CSRF_COOKIE_HTTPONLY or settings.CSRF_USE_SESSIONS:
        # Script cannot read the token from a cookie then: the generated client reads it here.
        embedded += json_script(get_token(request), CSRF_ELEMENT_ID)
    return embedded

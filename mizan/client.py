"""``@client``: turn a typed Python function into a server function."""

from __future__ import annotations

import inspect
import re
import typing
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, overload

import pydantic
from django.http import HttpRequest

from mizan.definitions import AuthSpec, FunctionDef, Kind, Param, Rate, Source
from mizan.exceptions import RegistrationError
from mizan.naming import check_function_name
from mizan.registry import get_registry

F = TypeVar("F", bound=Callable[..., Any])

AUTH_LEVELS = ("staff", "superuser")
CONTEXT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@overload
def client(fn: F, /) -> F: ...


@overload
def client(
    *,
    auth: AuthSpec | None = None,
    context: str | None = None,
    public: bool | None = None,
    ttl: int | None = None,
    live: bool | None = None,
    affects: str | Callable[..., Any] | Sequence[str | Callable[..., Any]] | None = None,
    read_only: bool = False,
    rate: str | Literal[False] | None = None,
    rate_key: Callable[[HttpRequest], Any] | None = None,
) -> Callable[[F], F]: ...


def client(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    auth: AuthSpec | None = None,
    context: str | None = None,
    public: bool | None = None,
    ttl: int | None = None,
    live: bool | None = None,
    affects: str | Callable[..., Any] | Sequence[str | Callable[..., Any]] | None = None,
    read_only: bool = False,
    rate: str | Literal[False] | None = None,
    rate_key: Callable[[HttpRequest], Any] | None = None,
) -> Any:
    """Register ``fn`` as a server function under its Python name.

    Plain functions become mutations (POST only); ``read_only=True`` and
    ``context=`` make queries. ``auth`` is ``True``, ``"staff"``,
    ``"superuser"`` or a callable ``(request) -> bool``, sync or async.
    ``live=True`` (on a context function, declared once per context like
    ``public=`` and ``ttl=``) gives the context a subscription that pushes its
    bundle after every committed invalidation of its scope. ``rate="5/m"`` limits
    calls per user (per client IP when anonymous), or per what ``rate_key(request)``
    returns; ``rate=False`` exempts the function from ``MIZAN["DEFAULT_RATE"]``.
    """

    def decorate(fn: F) -> F:
        source = Source.of(fn)
        _check_auth(auth, source)
        params, returns = _signature(fn, source)
        if affects is not None and (read_only or context):
            _refuse_affects_on_a_query(affects, read_only, source)
        limit, key = rate_options(rate, rate_key, source)
        _check_live(live, context, source)
        get_registry().add(
            FunctionDef(
                fn=fn,
                name=check_function_name(fn.__name__, source),
                params=params,
                returns=returns,
                kind=Kind.QUERY if read_only or context else Kind.MUTATION,
                source=source,
                is_async=inspect.iscoroutinefunction(fn),
                description=inspect.getdoc(fn),
                auth=auth,
                context=_context(context, source),
                public=public,
                ttl=ttl,
                live=live,
                affects=_affects(affects, source),
                rate=limit,
                rate_key=key,
            )
        )
        return fn

    return decorate(fn) if fn is not None else decorate


def _signature(fn: Callable[..., Any], source: Source) -> tuple[tuple[Param, ...], Any]:
    if not callable(fn) or inspect.isclass(fn):
        raise RegistrationError(f"@client decorates functions; got {fn!r} ({source}).")
    parameters = list(inspect.signature(fn).parameters.values())
    if not parameters or parameters[0].name != "request":
        raise RegistrationError(
            f"{source}: a mizan function takes the request first. "
            f"Write `def {fn.__name__}(request, ...)`."
        )
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise RegistrationError(f"{source}: its annotations cannot be resolved: {exc}") from exc

    params = []
    for p in parameters[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            raise RegistrationError(
                f"{source}: parameter {p.name!r} must be a plain named parameter "
                "(no *args, **kwargs or positional-only markers): each becomes a GraphQL argument."
            )
        if p.name.startswith("_") or hasattr(pydantic.BaseModel, p.name):
            raise RegistrationError(
                f"{source}: parameter {p.name!r} cannot be an argument: pydantic, which "
                "validates arguments, reserves names starting with '_' and the names of "
                "BaseModel's own attributes. Rename it."
            )
        if p.name not in hints:
            raise RegistrationError(
                f"{source}: parameter {p.name!r} has no type annotation. "
                f"Annotate it, e.g. `{p.name}: str`: it becomes a typed GraphQL argument."
            )
        params.append(Param(p.name, hints[p.name], p.default))
    if "return" not in hints:
        raise RegistrationError(
            f"{source}: no return annotation. Annotate what it returns, e.g. `-> Output` "
            "with a pydantic model: it becomes the GraphQL output type."
        )
    return tuple(params), hints["return"]


def _check_auth(auth: object, source: Source) -> None:
    if auth is None or auth is True or auth in AUTH_LEVELS or callable(auth):
        return
    raise RegistrationError(
        f"{source}: auth={auth!r} is not understood. Use auth=True, 'staff', 'superuser' "
        "or a callable (request) -> bool."
    )


def _check_live(live: object, context: str | None, source: Source) -> None:
    if live is None:
        return
    if not isinstance(live, bool):
        raise RegistrationError(f"{source}: live={live!r} must be True or False.")
    if context is None:
        raise RegistrationError(
            f"{source}: live={live!r} without context=. A live context pushes its bundle to "
            "subscribers; declare it on a context function, e.g. "
            "@client(context='user', live=True)."
        )


def _affects(value: object, source: Source) -> tuple[str | Callable[..., Any], ...]:
    """Context names or functions (standing for their context), resolved when the schema
    is built, once every function and context is known."""
    if value is None:
        return ()
    items: list[Any] = list(value) if isinstance(value, list | tuple) else [value]
    for item in items:
        if not (isinstance(item, str) or callable(item)):
            raise RegistrationError(
                f"{source}: affects={item!r} is neither a context name nor a function."
            )
    return tuple(items)


def _refuse_affects_on_a_query(affects: object, read_only: bool, source: Source) -> None:
    why = "read_only=True" if read_only else "a context= function"
    fix = (
        "drop read_only=True to make it a mutation"
        if read_only
        else "move the write into a mutation (a function without context=) with affects="
    )
    raise RegistrationError(
        f"{source}: affects={affects!r} on a query ({why}). A query changes nothing, so it "
        f"has nothing to invalidate, and would invalidate on every read. If it writes, {fix}; "
        "if it only reads, drop affects=."
    )


def rate_options(
    rate: object, rate_key: object, source: Source, *, where: str = ""
) -> tuple[Rate | Literal[False] | None, Callable[..., Any] | None]:
    """``rate=`` and ``rate_key=`` checked at registration (``where`` names a form's meta)."""
    limit: Rate | Literal[False] | None = None
    if rate is False or rate is None:
        limit = rate
    else:
        try:
            limit = Rate.parse(rate)
        except ValueError as exc:
            raise RegistrationError(f"{source}: {where}rate={rate!r}: {exc}") from None
    if rate_key is not None and not callable(rate_key):
        raise RegistrationError(
            f"{source}: {where}rate_key={rate_key!r} is not callable. Pass a function "
            "(request) -> str returning whom a call counts against, e.g. an API key."
        )
    if rate_key is not None and limit is False:
        raise RegistrationError(
            f"{source}: {where}rate_key= is given with rate=False, which never limits. "
            "Remove rate_key=, or give a rate such as rate='5/m'."
        )
    return limit, rate_key


def _context(context: str | None, source: Source) -> str | None:
    if context == "local":
        warnings.warn_explicit(
            "context='local' is deprecated: name the context instead, e.g. "
            "@client(context='greeting'). A 'local' context is named after the function.",
            DeprecationWarning,
            filename=source.file,
            lineno=source.line,
            module=source.module,
        )
    elif context is not None and not CONTEXT_NAME.match(context):
        raise RegistrationError(
            f"{source}: context={context!r} is not a valid context name. Use lowercase "
            "letters, digits and underscores, starting with a letter (e.g. 'user')."
        )
    return context


def register(fn: F, name: str) -> F:
    """Give a function its public name, registering it with defaults if ``@client`` did not.

    The seed's API: after ``@client`` it renames the function (it is not a second
    registration)."""
    registry = get_registry()
    if fn not in registry:
        client(fn)
    registry.rename(fn, name)
    return fn

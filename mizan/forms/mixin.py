"""``MizanFormMixin``: a Django form that registers itself when its class is defined."""

from __future__ import annotations

import inspect
import sys
import typing
import weakref
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from mizan.client import _affects, _check_auth, rate_options
from mizan.definitions import FunctionDef, Source
from mizan.exceptions import RegistrationError
from mizan.forms.fields import field_specs
from mizan.forms.functions import FormFunctions, input_model
from mizan.forms.spec import FormRole, FormSpec, MizanFormMeta, unbound_form
from mizan.naming import check_function_name, form_type_prefix
from mizan.registry import Registry, get_registry

# Form names taken in each registry, to refuse a duplicate when its class is defined.
_names: weakref.WeakKeyDictionary[Registry, dict[str, Source]] = weakref.WeakKeyDictionary()


class MizanFormMixin:
    """Mix into a Django form to serve it as ``<name>.schema``, ``<name>.validate`` and
    ``<name>.submit``::

        class ContactForm(MizanFormMixin, forms.Form):
            mizan = MizanFormMeta(name="contact", title="Contact Us")
            name = forms.CharField()

            def on_submit_success(self, request):
                return {"sent": True}

    While mizan validates or submits it, ``self.request`` is the request and
    ``self.mizan_role`` says which of the three it runs for: a check too costly or too
    revealing to run on every keystroke (a password) can wait for ``"submit"``.
    """

    mizan: ClassVar[MizanFormMeta | None]
    request: HttpRequest | None = None
    mizan_role: FormRole | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register_form(cls)

    @classmethod
    def get_queryset(cls, request: HttpRequest) -> QuerySet[Any]:
        """The rows an update may name by ``id`` (``MizanFormMeta(update=True)``): all of the
        model's by default. Override it to narrow them, e.g. to ``request.user``'s own."""
        model = cls._meta.model  # type: ignore[attr-defined]
        return model._default_manager.all()  # type: ignore[no-any-return]

    @classmethod
    def get_form_kwargs(cls, request: HttpRequest | None) -> dict[str, Any]:
        """Keyword arguments for the form's constructor besides ``data``, ``files`` and
        ``instance``: override it for a form whose ``__init__`` needs more, such as
        ``{"user": request.user}``. ``request`` is None once, at start-up, when mizan
        reads the form's fields from an unbound instance."""
        return {}

    def on_submit_success(self, request: HttpRequest) -> Any:
        """Act on valid data, inside a transaction; what it returns is the submit's result.

        A ModelForm saves by default and returns ``{"id": <primary key>}``; a plain
        form defines its own.
        """
        instance = self.save()  # type: ignore[attr-defined]
        return {"id": instance.pk}


def register_form(cls: type[MizanFormMixin]) -> None:
    """Check what can be checked now and register the form; its fields are read later,
    once Django's form metaclass has built them."""
    source = _source(cls)
    if "mizan" not in cls.__dict__:
        raise RegistrationError(
            f"{source}: mixes in MizanFormMixin but declares no `mizan = MizanFormMeta(name=...)`."
            " Add one; a base class meant only to be subclassed declares `mizan = None`."
        )
    meta = cls.__dict__["mizan"]
    if meta is None:
        return
    if not isinstance(meta, MizanFormMeta):
        raise RegistrationError(
            f"{source}: `mizan` must be MizanFormMeta(name=..., title=...), not {meta!r}."
        )
    if not issubclass(cls, forms.BaseForm):
        raise RegistrationError(
            f"{source}: MizanFormMixin goes on a Django form: "
            f"class {cls.__name__}(MizanFormMixin, forms.Form)."
        )
    if not meta.name:
        raise RegistrationError(
            f"{source}: MizanFormMeta has no name. Write MizanFormMeta(name='contact', ...): "
            "the name makes its functions contact.schema, contact.validate and contact.submit."
        )
    name = check_function_name(meta.name, source)
    _check_auth(meta.auth, source)
    rate_options(meta.rate, meta.rate_key, source, where="mizanFormMeta: ")
    is_model_form = issubclass(cls, forms.BaseModelForm)
    if meta.update and not is_model_form:
        raise RegistrationError(
            f"{source}: update=True needs a ModelForm: only a ModelForm has rows to update."
        )
    on_submit = cls.on_submit_success
    if not is_model_form and on_submit is MizanFormMixin.on_submit_success:
        raise RegistrationError(
            f"{source}: defines no on_submit_success(self, request). Add it: it runs when valid "
            "data is submitted, and what it returns is the submit's result."
        )
    if inspect.iscoroutinefunction(on_submit):
        raise RegistrationError(
            f"{source}: on_submit_success must be a plain `def`: it runs inside a database "
            "transaction, which Django keeps only in sync code."
        )
    registry = get_registry()
    taken = _names.setdefault(registry, {})
    if (other := taken.get(name)) is not None:
        raise RegistrationError(
            f"{source}: the form name {name!r} is taken by {other}. Give one of them another "
            "name in MizanFormMeta(name=...)."
        )
    registry.add_later(source, lambda: _definitions(cls, meta, name, source))
    taken[name] = source


def _definitions(
    cls: type[MizanFormMixin], meta: MizanFormMeta, name: str, source: Source
) -> list[FunctionDef]:
    form_class = typing.cast(type[forms.BaseForm], cls)
    if "base_fields" not in cls.__dict__:
        raise RegistrationError(
            f"{source}: its class was never completed (Django's form metaclass raised?), so "
            "it has no fields to serve."
        )
    prefix = form_type_prefix(name)
    title = meta.title or name
    description = meta.description or _doc(cls)
    try:
        unbound = unbound_form(form_class)
    except Exception as exc:
        raise RegistrationError(
            f"{source}: mizan reads the form's fields from an unbound instance, "
            f"{cls.__name__}(**get_form_kwargs(None)), which raised {exc!r}. Override "
            "get_form_kwargs(request) to give its constructor what it needs when request "
            "is None."
        ) from exc
    fields = field_specs(unbound, prefix, source)
    rate, rate_key = rate_options(meta.rate, meta.rate_key, source)
    spec = FormSpec(
        form_class=form_class,
        name=name,
        title=title,
        description=description,
        type_prefix=prefix,
        fields=tuple(fields),
        input_model=input_model(prefix, title, source.module, fields),
        result=_result_annotation(cls, source),
        source=source,
        auth=meta.auth,
        affects=_affects(meta.affects, source),
        update=meta.update,
        rate=rate,
        rate_key=rate_key,
    )
    return FormFunctions(spec).definitions()


def _result_annotation(cls: type[MizanFormMixin], source: Source) -> Any:
    try:
        hints = typing.get_type_hints(cls.on_submit_success)
    except Exception as exc:
        raise RegistrationError(
            f"{source}: on_submit_success's annotations cannot be resolved: {exc}"
        ) from exc
    returns = hints.get("return", Any)
    return Any if returns is type(None) else returns


def _doc(cls: type) -> str | None:
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else None


def _source(cls: type) -> Source:
    """The ``class`` statement's file and line: the frame running it is the nearest one in
    the class's own module (Django's metaclass and mizan sit in between)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == cls.__module__:
            return Source(
                cls.__module__, cls.__qualname__, frame.f_code.co_filename, frame.f_lineno
            )
        frame = frame.f_back  # type: ignore[assignment]
    return Source.of(cls)

"""The registry: every server function and channel, in one place, frozen once something is
built from it.

It stores definitions and knows nothing of what is made of them: the schema
and the runtime are *derived* (:meth:`Registry.derive`), by the layers above,
and the first derivation freezes it. ``register(fn, "name")`` (the seed's API,
in :mod:`mizan.client`) renames through :meth:`Registry.rename`; name clashes
are judged when the schema is built, after every rename.

Forms register with :meth:`Registry.add_later`: a form class's fields exist
only once Django's form metaclass has finished, after ``__init_subclass__``
has run, so their definitions are built on the registry's next read.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from mizan.definitions import ChannelDef, FunctionDef, Source
from mizan.exceptions import RegistrationError
from mizan.naming import check_function_name

T = TypeVar("T")


class Registry:
    def __init__(self) -> None:
        self._functions: dict[Callable[..., Any], FunctionDef] = {}
        self._channels: dict[type, ChannelDef] = {}
        self._derived: dict[Callable[[Registry], Any], Any] = {}
        self._deriving = threading.RLock()  # a derivation may derive another (runtime: schema)
        self._later: list[Callable[[], Iterable[FunctionDef]]] = []
        #: Declarations made while the URLconf was being imported (module, its URLconf):
        #: the system check mizan.E005 reports them.
        self.from_urlconf: list[tuple[Source, str]] = []

    def add(self, definition: FunctionDef) -> None:
        if self._check_open(definition.source):
            self._functions[definition.fn] = definition

    def add_later(self, source: Source, build: Callable[[], Iterable[FunctionDef]]) -> None:
        """Register the definitions ``build()`` returns, built when the registry is next read."""
        if self._check_open(source):
            self._later.append(build)

    def add_channel(self, definition: ChannelDef) -> None:
        if self._check_open(definition.source):
            self._channels[definition.cls] = definition

    def channels(self) -> list[ChannelDef]:
        return list(self._channels.values())

    def rename(self, fn: Callable[..., Any], name: str) -> None:
        source = Source.of(fn)
        if not self._check_open(source):
            return
        self._settle()
        definition = self._functions[fn]
        self._functions[fn] = dataclasses.replace(
            definition, name=check_function_name(name, source)
        )

    def __contains__(self, fn: object) -> bool:
        self._settle()
        return fn in self._functions

    def __iter__(self) -> Iterator[FunctionDef]:
        self._settle()
        return iter(self._functions.values())

    def _settle(self) -> None:
        while self._later:
            # Dropped only once built: a declaration that fails keeps failing, rather than
            # vanishing from the schema on the next attempt.
            for definition in self._later[0]():
                self._functions[definition.fn] = definition
            self._later.pop(0)

    def get(self, name: str) -> FunctionDef:
        for definition in self:
            if definition.name == name:
                return definition
        known = ", ".join(sorted(d.name for d in self)) or "none"
        raise LookupError(f"No mizan function is registered as {name!r} (registered: {known}).")

    @property
    def frozen(self) -> bool:
        return bool(self._derived)

    def made(self, build: Callable[[Registry], T]) -> T | None:
        """What ``build`` made of this registry, or ``None`` before anything asked for it
        (never builds: for callers that must not wait for it)."""
        return self._derived.get(build)

    def derive(self, build: Callable[[Registry], T]) -> T:
        """What ``build`` makes of this registry (its schema, its runtime), made once, on
        first use; the registry is frozen from then on. The first requests may arrive
        together, in threads: one builds, the others wait for it."""
        try:
            return self._derived[build]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with self._deriving:
            if build not in self._derived:
                self._derived[build] = build(self)
            return self._derived[build]  # type: ignore[no-any-return]

    def _check_open(self, source: Source) -> bool:
        """Whether a declaration may still join the registry; raises once it is frozen.

        A declaration made while the URLconf is imported is remembered for the system check
        mizan.E005 (a module only urls.py imports is unknown to a shell, a worker or the
        test client): refused quietly when the schema exists already, so `manage.py check`
        reports it instead of a traceback from loading the URLs."""
        if (urlconf := _importing_urlconf()) is not None:
            self.from_urlconf.append((source, urlconf))
            if self.frozen:
                return False
        if self.frozen:
            raise RegistrationError(
                f"{source}: registered after the mizan schema was built. Import the module "
                "that defines it from your AppConfig.ready() so it registers at start-up."
            )
        return True


def _importing_urlconf() -> str | None:
    """The root URLconf's name, when it is being imported right now (up the stack)."""
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:
        return None  # app loading: AppConfig.ready(), where declarations belong
    urlconf = getattr(settings, "ROOT_URLCONF", None)
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") == urlconf:
            return str(urlconf)
        frame = frame.f_back  # type: ignore[assignment]
    return None


_registry = Registry()


def get_registry() -> Registry:
    return _registry


@contextmanager
def use_registry(registry: Registry | None = None) -> Iterator[Registry]:
    """Swap in a fresh registry (for tests), restoring the previous one afterwards."""
    global _registry
    previous, _registry = _registry, registry or Registry()
    try:
        yield _registry
    finally:
        _registry = previous

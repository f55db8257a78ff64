"""The public API as a Django developer meets it: what ``mizan`` exports, the one exception
tree, the seed's import paths, and an ``asgi.py`` that works in either order."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import mizan
import mizan.exceptions

EXCEPTIONS = [
    "BadInput",
    "BadParameter",
    "ChannelLayerError",
    "ChannelSendError",
    "ClientError",
    "Forbidden",
    "InvalidationError",
    "MalformedHeader",
    "ManifestError",
    "MizanError",
    "PurgeError",
    "RateLimited",
    "RegistrationError",
    "Unauthenticated",
]


def test_mizan_exports_exactly_the_public_api() -> None:
    assert mizan.__all__ == sorted(
        [
            *EXCEPTIONS,
            "aexecute",
            "client",
            "execute",
            "invalidate",
            "invalidate_for",
            "invalidate_on",
            "register",
            "wrap_asgi",
            "wrap_wsgi",
        ]
    )
    for name in mizan.__all__:
        assert getattr(mizan, name) is not None, name


def test_one_import_style_and_the_seeds_paths_are_the_same_objects() -> None:
    from mizan import client, invalidate, invalidate_on, register  # the style taught
    from mizan.channels import ReactChannel, wrap_asgi
    from mizan.channels.channel import ReactChannel as DefinedReactChannel
    from mizan.client import client as seed_client  # the seed's paths
    from mizan.invalidation import invalidate as defined_invalidate
    from mizan.invalidation import invalidate_on as defined_invalidate_on
    from mizan.setup.registry import register as seed_register

    assert client is seed_client and register is seed_register
    assert invalidate is defined_invalidate and invalidate_on is defined_invalidate_on
    assert ReactChannel is DefinedReactChannel
    assert wrap_asgi is mizan.wrap_asgi


def test_every_exception_is_one_tree_under_mizan_error_exported_from_mizan() -> None:
    assert mizan.exceptions.__all__ == EXCEPTIONS
    for name in EXCEPTIONS:
        cls = getattr(mizan.exceptions, name)
        assert issubclass(cls, mizan.MizanError), name
        assert getattr(mizan, name) is cls, name
        assert cls.__doc__, name
        # Drawn, with when it is raised, in the module's docstring.
        assert f" {name} " in (mizan.exceptions.__doc__ or ""), name


def test_the_old_import_locations_of_exceptions_still_work() -> None:
    from mizan.channels.hub import ChannelLayerError
    from mizan.contexts import InvalidationError
    from mizan.edge import MalformedHeader, ManifestError
    from mizan.edge.header import MalformedHeader as HeaderMalformed
    from mizan.edge.manifest import ManifestError as ManifestManifestError
    from mizan.edge.purgers import PurgeError
    from mizan.edge.purgers.base import PurgeError as BasePurgeError
    from mizan.persisted.canonical import BadParameter

    e = mizan.exceptions
    assert InvalidationError is e.InvalidationError
    assert MalformedHeader is HeaderMalformed is e.MalformedHeader
    assert ManifestError is ManifestManifestError is e.ManifestError
    assert PurgeError is BasePurgeError is e.PurgeError
    assert BadParameter is e.BadParameter
    assert ChannelLayerError is e.ChannelLayerError


# Raised and caught inside mizan (the runtime's refusals are caught by its transports, or
# mizan.execute), never seen by a caller: not part of the API. (OutOfBounds becomes a
# BadParameter in a URL and a whole-context scope elsewhere.)
INTERNAL = {
    "mizan.canonical.OutOfBounds",
    "mizan.runtime.errors.Refusal",
    "mizan.runtime.trusted.Refused",
    "mizan.runtime.limits.LimitExceeded",
    "mizan.reading.Unreadable",
}


def test_no_exception_is_defined_outside_mizan_exceptions() -> None:
    found = set()
    for info in pkgutil.walk_packages(mizan.__path__, "mizan."):
        if info.name.startswith("mizan.contrib.") and info.name.count(".") > 1:
            continue  # a plug-in needs its own apps installed (its tests' own pass)
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
                and info.name != "mizan.exceptions"
            ):
                found.add(f"{info.name}.{name}")
    assert found == INTERNAL


def run_fresh(script: str, *, block_channels: bool = False) -> subprocess.CompletedProcess[str]:
    """``script`` in a new interpreter with ``tests.settings``, Django not set up."""
    prelude = (
        'import sys\nfor name in ("channels", "daphne", "channels_redis"):\n'
        "    sys.modules[name] = None  # as if the extra were not installed\n"
        if block_channels
        else ""
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "", "PYTHONPATH": "."},
    )


# Connects to the wrapped application and speaks graphql-transport-ws: proof it serves.
HANDSHAKE = """
import asyncio
from channels.testing import WebsocketCommunicator

async def handshake():
    ws = WebsocketCommunicator(
        application, "/api/mizan/graphql/", subprotocols=["graphql-transport-ws"]
    )
    connected, _ = await ws.connect(timeout=30)
    assert connected
    await ws.send_json_to({"type": "connection_init"})
    print((await ws.receive_json_from(timeout=30))["type"])
    await ws.disconnect()

asyncio.run(handshake())
"""


@pytest.mark.parametrize(
    "asgi_py",
    [
        pytest.param(
            """
            from django.core.asgi import get_asgi_application
            from mizan import wrap_asgi
            from django.apps import apps
            assert not apps.ready
            # Nothing that needs the app registry was imported, auth models above all.
            assert "django.contrib.auth.models" not in sys.modules
            application = wrap_asgi(get_asgi_application())
            """,
            id="wrap_asgi-imported-first",
        ),
        pytest.param(
            """
            from django.core.asgi import get_asgi_application
            django_application = get_asgi_application()
            from mizan import wrap_asgi
            application = wrap_asgi(django_application)
            """,
            id="django-set-up-first",
        ),
    ],
)
def test_asgi_py_works_in_either_order(asgi_py: str) -> None:
    result = run_fresh("import sys\n" + textwrap.dedent(asgi_py) + HANDSHAKE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "connection_ack\n"


@pytest.mark.parametrize(
    "statement",
    [
        "from mizan.channels import ReactChannel",
        "from mizan.channels import wrap_asgi",
        "from mizan import wrap_asgi",
        "import mizan; mizan.wrap_asgi",
    ],
)
def test_a_missing_channels_extra_names_the_install_command(statement: str) -> None:
    result = run_fresh(
        f"""
        import django
        django.setup()
        try:
            {statement}
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """,
        block_channels=True,
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "django-mizan[channels]"' in result.stdout
    assert result.stdout.startswith("ModuleNotFoundError mizan.channels.")


def test_importing_mizan_wires_nothing_until_the_app_is_ready() -> None:
    """Checks and signal receivers are connected by ``MizanConfig.ready()``, not on import."""
    result = run_fresh(
        """
        import mizan, mizan.checks, mizan.conf, mizan.channels.checks, mizan.middleware
        import mizan.edge.purgers.dispatch
        from django.core.checks.registry import registry
        from django.core.signals import setting_changed
        from mizan.invalidation import collected, invalidated

        def wired():
            checks = sorted(
                c.__name__ for c in registry.get_checks() if c.__module__.startswith("mizan")
            )
            receivers = [
                bool(invalidated.receivers), bool(collected.receivers),
                any("mizan" in str(r[0]) for r in setting_changed.receivers),
            ]
            return checks, receivers

        print(wired())
        import django
        django.setup()
        print(wired())
        """
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "([], [False, False, False])"
    assert after == (
        "(['check_allowed_origins', 'check_channel_layer', 'check_declared_from_urlconf', "
        "'check_invalidation_scopes', 'check_middleware', 'check_purgers', 'check_rates', "
        "'check_schema', "
        "'check_settings'], [True, True, True])"
    )

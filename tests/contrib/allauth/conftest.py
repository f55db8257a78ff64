from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from mizan.setup.registry import Registry, get_registry

if "mizan.contrib.allauth" not in settings.INSTALLED_APPS:
    # These tests run in their own pass (make test), with tests.contrib.allauth.settings.
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(autouse=True)
def registry() -> Iterator[Registry]:
    """The project's registry as start-up filled it: allauth's functions and forms."""
    yield get_registry()

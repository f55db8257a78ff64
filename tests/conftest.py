from __future__ import annotations

from collections.abc import Iterator

import pytest

from mizan.setup.registry import Registry, use_registry


@pytest.fixture(autouse=True)
def registry() -> Iterator[Registry]:
    """Every test starts with an empty registry of its own."""
    with use_registry() as fresh:
        yield fresh

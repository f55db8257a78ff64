from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.harness import Demo, demo, need_browser


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One example project for every browser test (migrating and seeding costs seconds)."""
    need_browser()
    with demo(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture
def node() -> str:
    return need_browser()

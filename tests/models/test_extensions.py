"""strawberry-django's optimizer configured as a Strawberry extension (MIZAN["EXTENSIONS"]):
mizan's root fields use that one, with its options, on every operation."""

from __future__ import annotations

import pytest
from strawberry_django.optimizer import DjangoOptimizerExtension

from tests.models.test_results import queries_for, register_notes

pytestmark = pytest.mark.django_db


class WithoutPrefetch(DjangoOptimizerExtension):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(enable_prefetch_related_optimization=False, **kwargs)  # type: ignore[arg-type]


def test_the_configured_optimizer_by_dotted_path(client, settings) -> None:
    settings.MIZAN = {"EXTENSIONS": ["strawberry_django.optimizer.DjangoOptimizerExtension"]}
    register_notes()
    assert queries_for(client, 2) == (2, 2)
    assert queries_for(client, 38) == (40, 2)


def test_the_configured_optimizer_s_options_apply(client, settings) -> None:
    settings.MIZAN = {"EXTENSIONS": [WithoutPrefetch]}
    register_notes()
    rows, queries = queries_for(client, 5)
    assert (rows, queries) == (5, 1 + 5)  # the notes with their author, then each one's topics

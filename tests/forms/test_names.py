"""``MizanFormMixin`` / ``MizanFormMeta`` are the names taught; the seed's still work."""

from __future__ import annotations

import pytest
from django import forms

import mizan.forms
from mizan.exceptions import RegistrationError
from mizan.forms import MizanFormMeta, MizanFormMixin, mizanFormMeta, mizanFormMixin
from mizan.setup.registry import get_registry


def test_the_seed_names_are_the_same_classes() -> None:
    assert mizanFormMixin is MizanFormMixin
    assert mizanFormMeta is MizanFormMeta
    assert {"MizanFormMixin", "MizanFormMeta", "mizanFormMixin", "mizanFormMeta"} <= set(
        mizan.forms.__all__
    )


def test_a_form_declared_with_either_spelling_registers_its_three_functions() -> None:
    class Pep8Form(MizanFormMixin, forms.Form):
        mizan = MizanFormMeta(name="pep8")
        text = forms.CharField()

        def on_submit_success(self, request: object) -> dict[str, bool]:
            return {"ok": True}

    class SeedForm(mizanFormMixin, forms.Form):
        mizan = mizanFormMeta(name="seed")
        text = forms.CharField()

        def on_submit_success(self, request: object) -> dict[str, bool]:
            return {"ok": True}

    names = {definition.name for definition in get_registry()}
    assert {"pep8.schema", "pep8.validate", "pep8.submit"} <= names
    assert {"seed.schema", "seed.validate", "seed.submit"} <= names


def test_errors_name_the_pep8_spelling() -> None:
    with pytest.raises(
        RegistrationError, match=r"declares no `mizan = MizanFormMeta\(name=\.\.\.\)`"
    ):

        class Undeclared(MizanFormMixin, forms.Form):
            text = forms.CharField()

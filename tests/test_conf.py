"""``mizan.conf``: typed settings read from ``settings.MIZAN``, each key declared once."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from mizan.checks import check_settings
from mizan.conf import DEFAULTS, SETTINGS, Setting, Settings, mizan_settings


def test_defaults_apply_when_mizan_is_absent(settings: Any) -> None:
    del settings.MIZAN
    assert mizan_settings.MAX_DEPTH == 12
    assert mizan_settings.SURROGATE_KEY_HEADERS == ["xkey", "Surrogate-Key", "Cache-Tag"]


def test_values_are_read_again_after_a_change(settings: Any) -> None:
    settings.MIZAN = {"MAX_DEPTH": 3}
    assert mizan_settings.MAX_DEPTH == 3
    with override_settings(MIZAN={"MAX_DEPTH": 4, "GRAPHIQL": False}):
        assert (mizan_settings.MAX_DEPTH, mizan_settings.GRAPHIQL) == (4, False)
    assert (mizan_settings.MAX_DEPTH, mizan_settings.GRAPHIQL) == (3, True)
    settings.MIZAN = {}
    assert mizan_settings.MAX_DEPTH == 12


def test_other_settings_changing_keeps_the_values_read(settings: Any) -> None:
    settings.MIZAN = {"MAX_DEPTH": 3}
    assert mizan_settings.MAX_DEPTH == 3
    settings.DEBUG = True  # not MIZAN: nothing to read again
    assert vars(mizan_settings)["MAX_DEPTH"] == 3


def test_a_default_is_never_shared_with_the_caller(settings: Any) -> None:
    del settings.MIZAN
    mizan_settings.SURROGATE_KEY_HEADERS.append("mine")  # type: ignore[attr-defined]
    settings.MIZAN = {}
    assert mizan_settings.SURROGATE_KEY_HEADERS == ["xkey", "Surrogate-Key", "Cache-Tag"]


def test_every_key_is_declared_once_with_a_default_its_type_and_what_it_does() -> None:
    assert [s.name for s in SETTINGS] == list(DEFAULTS)
    assert len(SETTINGS) == len({s.name for s in SETTINGS}) > 20
    for setting in SETTINGS:
        assert isinstance(setting, Setting)
        assert Settings.__dict__[setting.name] is setting
        assert isinstance(setting.default, setting.accepts), setting
        assert setting.doc.endswith(".") and len(setting.doc) > 20, setting
        assert DEFAULTS[setting.name] == setting.default


def test_the_defaults_pass_the_system_check(settings: Any) -> None:
    settings.MIZAN = dict(DEFAULTS)
    assert check_settings() == []


def test_an_unknown_key_is_ignored_and_warned_about_with_a_suggestion(settings: Any) -> None:
    settings.MIZAN = {"MAX_DEPHT": 3}
    assert mizan_settings.MAX_DEPTH == 12
    (warning,) = check_settings()
    assert (warning.id, warning.msg, warning.hint) == (
        "mizan.W001",
        "Unknown key 'MAX_DEPHT' in settings.MIZAN is ignored.",
        "Did you mean 'MAX_DEPTH'?",
    )


def test_a_wrong_type_names_the_types_accepted_and_the_default(settings: Any) -> None:
    settings.MIZAN = {"PURGE_WAIT": "1", "SURROGATE_KEY_HEADERS": "xkey"}
    first, second = check_settings()
    assert first.msg == "settings.MIZAN['PURGE_WAIT'] must be a int or float, not '1'."
    assert first.hint.endswith("The default is 1.0.")
    assert second.msg == (
        "settings.MIZAN['SURROGATE_KEY_HEADERS'] must be a list or tuple, not 'xkey'."
    )

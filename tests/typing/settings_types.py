"""Checked by ``make lint`` (mypy strict), never run: what mypy sees of ``mizan_settings``."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, assert_type

from mizan.conf import Setting, Settings, mizan_settings

assert_type(mizan_settings.GRAPHIQL, bool)
assert_type(mizan_settings.MAX_DEPTH, int)
assert_type(mizan_settings.CACHE_ALIAS, str)
assert_type(mizan_settings.PURGE_WAIT, float)
assert_type(mizan_settings.PERSISTED_DOCUMENTS, str | os.PathLike[str])
assert_type(mizan_settings.SURROGATE_KEY_HEADERS, Sequence[str])
assert_type(mizan_settings.PURGERS, Sequence[Mapping[str, Any]])
assert_type(mizan_settings.EDGE_VIEW_URLS, Mapping[str, str | Sequence[str]])
assert_type(Settings.MAX_DEPTH, Setting[int])

"""A session engine whose save takes as long as a database round trip can (5 ms), so
that a test sees the window between a mutation's return and its session's save."""

from __future__ import annotations

import time

from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore

SAVE_SECONDS = 0.005


class SessionStore(CacheSessionStore):
    def save(self, must_create: bool = False) -> None:
        time.sleep(SAVE_SECONDS)
        super().save(must_create)

"""The production parts, for real: PostgreSQL and Django's RedisCache.

``make test`` runs the transaction- and cache-sensitive tests a second time with
these settings (see the Makefile); each run gets its own database and key prefix,
so parallel runs on one machine never collide.
"""

import os

from tests.settings import *  # noqa: F403

RUN = f"{os.getpid()}"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "USER": os.environ.get("MIZAN_PG_USER", "postgres"),
        "NAME": f"mizan_{RUN}",
        "TEST": {"NAME": f"test_mizan_{RUN}"},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379",
        "KEY_PREFIX": f"mizan-tests-{RUN}",
    }
}

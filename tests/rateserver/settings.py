"""One server process: Redis for the cache (the counters). Callers are anonymous, so no
table is ever read (the in-memory SQLite of tests.settings stays empty).

``RATESERVER_REDIS`` and ``RATESERVER_PREFIX`` come from the test;
``RATESERVER_TRUSTED_PROXIES`` (comma-separated) sets ``MIZAN["TRUSTED_PROXIES"]``.
"""

import os

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.rateserver"]  # noqa: F405
ROOT_URLCONF = "tests.urls"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["RATESERVER_REDIS"],
        "KEY_PREFIX": os.environ["RATESERVER_PREFIX"],
    }
}
MIZAN = {
    "TRUSTED_PROXIES": [p for p in os.environ.get("RATESERVER_TRUSTED_PROXIES", "").split(",") if p]
}

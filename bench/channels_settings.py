"""The example project's settings, with the channel layer the benchmark asks for."""

import os

from example.settings import *  # noqa: F403

DEBUG = False
_layer = os.environ.get("BENCH_LAYER", "memory")
_redis = {
    "hosts": [os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")],
    "prefix": "mizan-bench",
}
CHANNEL_LAYERS = {
    "default": {
        "memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
        "pubsub": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": _redis},
        # redis-py's pools stop at 100 connections; the core layer needs one per
        # concurrent operation (1,000 clients subscribing at once).
        "core": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                **_redis,
                "hosts": [{"address": _redis["hosts"][0], "max_connections": 2000}],
            },
        },
    }[_layer]
}

# bench/live_fanout.py counts the recomputations per burst from these lines.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"mizan.live": {"handlers": ["stderr"], "level": "DEBUG", "propagate": False}},
}

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

if os.environ.get("BENCH_TRACEMALLOC"):
    # Where a server's memory goes: SIGUSR1 takes a snapshot, SIGUSR2 prints what grew
    # since, by line (bench/fanout_scale.py memory --trace).
    import signal
    import sys
    import tracemalloc

    tracemalloc.start(int(os.environ["BENCH_TRACEMALLOC"]))
    _snapshots = []

    def _snapshot(*_: object) -> None:
        _snapshots[:] = [tracemalloc.take_snapshot()]

    def _grown(*_: object) -> None:
        """What grew, by the innermost line of mizan (or of the server, if none) that
        led to it: where a subscriber's memory goes."""
        grown: dict[str, list[int]] = {}
        stats = tracemalloc.take_snapshot().compare_to(_snapshots[0], "traceback")
        for stat in stats:
            frames = list(stat.traceback)  # innermost last
            ours = [
                f for f in frames if "/mizan/" in f.filename and "site-packages" not in f.filename
            ]
            frame = (ours or frames)[-1]
            name = frame.filename.split("site-packages/")[-1]
            where = f"{'mizan ' if ours else ''}{name}:{frame.lineno}"
            entry = grown.setdefault(where, [0, 0])
            entry[0] += stat.size_diff
            entry[1] += stat.count_diff
        for where, (size, count) in sorted(grown.items(), key=lambda i: -i[1][0])[:40]:
            print(f"TRACE {size / 1024:9.1f} KiB {count:7d} {where}", file=sys.stderr)
        sys.stderr.flush()

    signal.signal(signal.SIGUSR1, _snapshot)
    signal.signal(signal.SIGUSR2, _grown)

"""Each test uses a function of its own, so their counters never meet. Every function
counts its runs in the shared cache: a refused call must not run, in any process."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from mizan import client


def ran(name: str) -> int:
    """Count a run across processes (an atomic INCR in the shared Redis)."""
    cache.add(f"ran:{name}", 0, None)
    return int(cache.incr(f"ran:{name}"))


@client(rate="20/h")
def exact(request: HttpRequest, caller: str) -> int:
    """20 calls an hour: the concurrent test sends 40."""
    return ran("exact")


@client(rate="2/3s")
def window(request: HttpRequest) -> int:
    return ran("window")


@client(rate="2/h")
def proxied(request: HttpRequest) -> int:
    return ran("proxied")


@client(rate="1/h", read_only=True)
def shape(request: HttpRequest) -> int:
    return ran("shape")

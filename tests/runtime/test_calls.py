"""The runtime's calls: what each function's first call builds, once."""

from __future__ import annotations

from mizan.client import client
from mizan.runtime import get_runtime
from mizan.testing import MizanTestClient


def test_argument_models_are_built_on_the_first_call() -> None:
    @client(read_only=True)
    def double(request, n: int) -> int:
        return 2 * n

    (call,) = get_runtime().calls
    assert call._model is None  # building the runtime did not build it
    assert MizanTestClient().call("double", n=4).data == 8
    model = call._model
    assert model is not None
    MizanTestClient().call("double", n=5)
    assert call._model is model  # built once


def test_prepare_calls_builds_every_argument_model() -> None:
    @client(read_only=True)
    def one(request, n: int) -> int:
        return n

    @client(read_only=True)
    def none(request) -> int:
        return 0

    runtime = get_runtime()
    runtime.prepare_calls()
    assert [call._model is not None for call in runtime.calls] == [False, True]  # by field name

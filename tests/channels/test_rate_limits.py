"""Rate limits over WebSocket: a refused operation's ``next`` carries RATE_LIMITED."""

from __future__ import annotations

from typing import Any

from mizan.client import client
from tests.channels.conftest import Socket

runs: list[str] = []


async def test_operations_over_a_socket_count_like_http(
    app: Any, login: Any, settings: Any
) -> None:
    runs.clear()
    settings.CACHES = {  # counters of this test's own
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ws"}
    }

    @client(rate="2/h")
    def send(request: Any, text: str) -> str:
        runs.append(text)
        return text

    socket = await Socket(app, headers=await login("ada")).open()
    for n in range(2):
        await socket.subscribe(str(n), f'mutation {{ send(text: "{n}") }}')
        assert await socket.receive() == {
            "id": str(n),
            "type": "next",
            "payload": {"data": {"send": str(n)}},
        }
        assert await socket.receive() == {"id": str(n), "type": "complete"}
    await socket.subscribe("2", 'mutation { send(text: "2") }')
    refused = await socket.receive()
    [error] = refused["payload"]["errors"]
    assert refused["type"] == "next" and refused["payload"]["data"] is None
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= error["extensions"]["retryAfter"] <= 3600
    assert error["message"].startswith("Too many calls to send: the limit is 2 per hour.")
    assert runs == ["0", "1"]

    # Counted per user: another user's socket has a count of its own.
    other = await Socket(app, headers=await login("bob")).open()
    await other.subscribe("1", 'mutation { send(text: "bob") }')
    assert (await other.receive())["payload"] == {"data": {"send": "bob"}}
    await socket.close()
    await other.close()

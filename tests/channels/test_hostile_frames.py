"""Hostile frames over graphql-transport-ws: the same limits as over HTTP, answered with an
``error`` message; a frame that cannot be read closes the socket with the protocol's code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.channels.conftest import Socket
from tests.test_hostile import SHAPES, register_targets

BAD_MESSAGE = 4400  # graphql-transport-ws: "Invalid message received"
TOO_BIG = 4413


@pytest.fixture(autouse=True)
def functions() -> None:
    register_targets()


async def opened(app: Any) -> Socket:
    """An acknowledged socket; the first one of a test builds the schema, slow on a busy
    machine, so its acknowledgement may take longer than ``Socket.open`` waits."""
    socket = Socket(app)
    accepted, _ = await socket.communicator.connect(timeout=20)
    assert accepted
    await socket.send({"type": "connection_init"})
    assert (await socket.receive(timeout=20))["type"] == "connection_ack"
    return socket


# The WebSocket's own size limit (64 KiB) closes the socket before the document's limits
# see the largest shapes: those are pinned in test_frames_over_the_size_limit_close.
FITTING = [shape for shape in SHAPES if len(json.dumps([shape[1], shape[2]])) < 60_000]


@pytest.mark.parametrize(
    ("shape", "query", "variables", "code"), FITTING, ids=[s[0] for s in FITTING]
)
async def test_each_shape_is_refused_with_its_code(
    app: Any, shape: str, query: str, variables: Any, code: str
) -> None:
    socket = await opened(app)
    await socket.subscribe("1", query, variables)
    message = await socket.receive(timeout=10)
    assert message["id"] == "1", message
    # Refused before execution: an `error` message; variables refused as execution meets
    # them: a `next` whose result has only errors (as when they do not coerce).
    if message["type"] == "next":
        assert message["payload"]["data"] is None
        errors = message["payload"]["errors"]
        assert (await socket.receive(timeout=10)) == {"id": "1", "type": "complete"}
    else:
        assert message["type"] == "error", message
        errors = message["payload"]
    assert [e["extensions"]["code"] for e in errors] == [code]
    # The connection goes on serving.
    await socket.subscribe("2", '{ echo(text: "still here") }')
    assert (await socket.receive(timeout=10))["payload"] == {"data": {"echo": "still here"}}
    await socket.close()


async def test_frames_over_the_size_limit_close(app: Any) -> None:
    socket = await opened(app)
    big = "{ " + " ".join(f'a{i}: echo(text: "x")' for i in range(10_000)) + " }"
    await socket.subscribe("1", big)
    closed = await socket.communicator.receive_output(10)
    assert closed == {"type": "websocket.close", "code": TOO_BIG, "reason": "Message too big"} or (
        closed["type"] == "websocket.close" and closed["code"] == TOO_BIG
    )


@pytest.mark.parametrize(
    "frame",
    [
        "[" * 30_000 + "]" * 30_000,  # 60 KB of nested arrays: RecursionError in the handler
        '{"type": "subscribe", "id": "1", "payload": ' + "[" * 5000 + "]" * 5000 + "}",
        "not json",
        "-51",
        "[1, 2]",
        '{"type": 5}',
        '{"type": "subscribe", "id": "1", "payload": [1]}',
        '{"type": "subscribe", "id": 1, "payload": {"query": "{ __typename }"}}',
        '{"type": "subscribe", "id": "1", "payload": {"query": 5}}',
        '{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }", "variables": [1]}}',
        '{"type": "complete", "id": []}',
    ],
    ids=[
        "60 KB nested arrays",
        "deep payload",
        "not JSON",
        "a number",
        "a list",
        "type not a string",
        "payload not an object",
        "id not a string",
        "query not a string",
        "variables not an object",
        "complete with a list for id",
    ],
)
async def test_a_frame_that_cannot_be_read_closes_with_4400(app: Any, frame: str) -> None:
    socket = await opened(app)
    await socket.communicator.send_to(text_data=frame)
    closed = await socket.communicator.receive_output(10)  # no error message first
    assert closed["type"] == "websocket.close"
    assert closed["code"] == BAD_MESSAGE

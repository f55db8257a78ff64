"""Declaring channels: what they compile into, and the mistakes caught at start-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from pydantic import BaseModel, Field

from mizan.channels import ReactChannel
from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema


def test_the_seed_channel_compiles_into_a_subscription(registry: Any) -> None:
    class ChatChannel(ReactChannel):
        """Messages in one chat room."""

        class Params(BaseModel):
            room: str
            limit: int = 50

        class DjangoMessage(BaseModel):
            text: str = Field(description="What was said.")

        def authorize(self, params: Any) -> bool:
            return bool(self.user.is_authenticated)

        def group(self, params: Any) -> str:
            return f"chat_{params.room}"

    [definition] = registry.channels()
    assert (definition.cls, definition.name, definition.field_name) == (
        ChatChannel,
        "chatChannel",
        "chatChannel",
    )
    assert definition.params is ChatChannel.Params
    assert definition.send is None  # no ReactMessage: clients only listen
    sdl = get_schema().sdl()
    assert (
        '''type ChatChannelMessage {
  """What was said."""
  text: String!
}'''
        in sdl
    )
    assert (
        '''type Subscription {
  """Messages in one chat room."""
  chatChannel(room: String!, limit: Int! = 50): ChatChannelMessage!
}'''
        in sdl
    )
    assert "type Mutation" not in sdl


def test_react_message_and_receive_generate_a_mutation(registry: Any) -> None:
    class Board(ReactChannel):
        class DjangoMessage(BaseModel):
            note: str

        class ReactMessage(BaseModel):
            note: str

        def receive(self, params: Any, message: Any) -> None:
            """Pin a note to the board."""

    sdl = get_schema().sdl()
    assert "  board: BoardMessage!\n" in sdl  # no Params: no arguments
    assert (
        '''  """Pin a note to the board."""
  boardSend(message: BoardReactMessageInput!): Boolean!'''
        in sdl
    )
    [definition] = registry.channels()
    assert definition.send is not None and definition.send.name == "board.send"


class Note(BaseModel):
    text: str


def test_a_shared_message_model_keeps_its_own_name() -> None:
    class Notes(ReactChannel):
        DjangoMessage = Note

    @client(read_only=True)
    def latest(request: Any) -> Note:
        return Note(text="x")

    sdl = get_schema().sdl()
    assert "notes: Note!" in sdl and "latest: Note!" in sdl


def test_the_sdl_is_the_same_for_the_same_code() -> None:
    source = textwrap.dedent(
        """
        from pydantic import BaseModel
        from mizan.channels import ReactChannel
        from mizan.schema import get_schema
        from mizan.setup.registry import use_registry

        def build():
            with use_registry():
                class Zeta(ReactChannel):
                    class DjangoMessage(BaseModel):
                        z: int
                class Alpha(ReactChannel):
                    class Params(BaseModel):
                        b: str
                        a: int
                    class DjangoMessage(BaseModel):
                        a: str
                    class ReactMessage(BaseModel):
                        a: str
                    def receive(self, params, message): ...
                return get_schema().sdl()
        """
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "channels_sdl.py", "exec"), namespace)
    first, second = namespace["build"](), namespace["build"]()
    assert first == second
    assert first.index("alpha(b: String!, a: Int!)") < first.index("zeta: ZetaMessage!")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("pass", "a ReactChannel needs a DjangoMessage"),
        ("DjangoMessage = dict", "DjangoMessage must be a pydantic model"),
        ("DjangoMessage = M\n    Params = int", "Params must be a pydantic model"),
        ("DjangoMessage = M\n    ReactMessage = M", r"defines ReactMessage but no receive\(\)"),
        (
            "DjangoMessage = M\n    def receive(self, params, message): ...",
            r"defines receive\(\) but no ReactMessage",
        ),
    ],
)
def test_declaration_mistakes_are_named(body: str, message: str) -> None:
    source = f"from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nclass Broken(ReactChannel):\n    {body}\n"
    with pytest.raises(RegistrationError, match=message) as caught:
        exec(compile(source, "broken_channel.py", "exec"), {"ReactChannel": ReactChannel})
    assert "Broken" in str(caught.value)


def test_a_params_field_named_message_clashes_with_the_mutation_argument() -> None:
    with pytest.raises(RegistrationError, match="a Params field is named 'message'"):

        class Clash(ReactChannel):
            class Params(BaseModel):
                message: str

            class DjangoMessage(BaseModel):
                x: int

            class ReactMessage(BaseModel):
                x: int

            def receive(self, params: Any, message: Any) -> None: ...


def test_a_channel_and_a_function_cannot_share_a_field() -> None:
    class Ping(ReactChannel):
        class DjangoMessage(BaseModel):
            x: int

    @client(read_only=True)
    def ping(request: Any) -> int:
        return 1

    with pytest.raises(RegistrationError, match="both be the root field 'ping'"):
        get_schema()


def test_a_channel_declared_after_the_schema_is_built_is_an_error() -> None:
    get_schema()
    with pytest.raises(RegistrationError, match="registered after the mizan schema was built"):

        class Late(ReactChannel):
            class DjangoMessage(BaseModel):
                x: int


def test_the_system_check_wants_a_channel_layer(settings: Any) -> None:
    from mizan.channels.checks import check_channel_layer

    class Ping(ReactChannel):
        class DjangoMessage(BaseModel):
            x: int

    assert check_channel_layer() == []
    settings.CHANNEL_LAYERS = {}
    [error] = check_channel_layer()
    assert error.id == "mizan.E101" and "Ping" in error.msg


def test_mizan_works_without_django_channels_installed() -> None:
    script = textwrap.dedent(
        """
        import sys
        for name in ("channels", "daphne", "channels_redis"):
            sys.modules[name] = None  # makes `import channels` fail as if not installed
        import django
        django.setup()
        import mizan
        from mizan.client import client
        from mizan.schema import get_schema

        @client(read_only=True)
        def hello(request) -> str:
            return "hi"

        assert "hello: String!" in get_schema().sdl()
        assert "channels" not in {m.split(".")[0] for m in sys.modules if sys.modules[m]}
        try:
            mizan.wrap_asgi
        except ImportError as exc:
            print("wrap_asgi needs channels:", exc.name)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "", "PYTHONPATH": "."},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrap_asgi needs channels: channels.auth\n"  # the missing module


def test_the_system_check_wants_well_formed_origins(settings: Any) -> None:
    from mizan.channels.checks import check_allowed_origins

    settings.MIZAN = {"CHANNELS_ALLOWED_ORIGINS": ["http://localhost:5173", "*"]}
    assert check_allowed_origins() == []
    settings.MIZAN = {"CHANNELS_ALLOWED_ORIGINS": ["localhost:5173/app"]}
    [error] = check_allowed_origins()
    assert error.id == "mizan.E102" and "localhost:5173/app" in error.msg


@pytest.mark.django_db
def test_the_test_client_calls_the_send_mutation_and_refuses_the_subscription() -> None:
    from django.contrib.auth.models import AnonymousUser, User

    from mizan.testing import MizanTestClient

    received: list[str] = []

    class Room(ReactChannel):
        class Params(BaseModel):
            name: str

        class DjangoMessage(BaseModel):
            text: str

        class ReactMessage(BaseModel):
            text: str

        def authorize(self, params: Any) -> bool:
            return bool(self.user.is_authenticated)

        def receive(self, params: Any, message: Any) -> None:
            received.append(f"{self.user.username}@{params.name}: {message.text}")

    ada = User.objects.create_user("ada")
    result = MizanTestClient(user=ada).call(
        "room.send", name="lobby", message=Room.ReactMessage(text="hi")
    )
    assert (result.data, received) == (True, ["ada@lobby: hi"])
    refused = MizanTestClient(user=AnonymousUser()).call(
        "room.send", name="x", message={"text": "no"}
    )
    assert refused.codes == ["FORBIDDEN"] and len(received) == 1
    with pytest.raises(TypeError, match="room is a channel's subscription"):
        MizanTestClient().call("room", name="lobby")

import datetime
import decimal
import enum
import uuid
from typing import Annotated, Generic, TypeVar

import pytest
from pydantic import BaseModel, Field, computed_field

from mizan.client import client
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema
from mizan.testing import MizanTestClient

T = TypeVar("T")


class Color(enum.Enum):
    """A colour."""

    RED = "red"
    GREEN = "green"


class Address(BaseModel):
    """Where someone lives."""

    street_name: str = Field(description="Street and number.")
    postcode: str | None = None


class Person(BaseModel):
    name: str
    age: Annotated[int, Field(ge=0)]
    address: Address
    colors: list[Color] = []
    tags: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return f"{self.name} ({self.age})"


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class Scalars(BaseModel):
    when: datetime.datetime
    day: datetime.date
    at: datetime.time
    amount: decimal.Decimal
    ident: uuid.UUID
    ratio: float
    flag: bool


def register_everything() -> None:
    @client(read_only=True)
    def people(request, color: Color | None = None, limit: int = 10) -> Page[Person]:
        """List people, optionally of one colour."""
        person = Person(
            name="Ada", age=36, address=Address(street_name="1 Main St"), colors=[Color.RED]
        )
        return Page[Person](items=[person][:limit], total=1)

    @client
    def save_person(request, person: Person) -> Person:
        return person

    @client(read_only=True)
    def scalars(request, value: Scalars) -> Scalars:
        return value

    @client(auth="staff")
    def forget_person(request, name: str) -> bool:
        return True


SDL_SNAPSHOT = '''\
"""
The caller must satisfy this requirement; otherwise the field is null with an UNAUTHENTICATED or FORBIDDEN error.
"""
directive @auth(requires: AuthLevel!) on FIELD_DEFINITION

"""Where someone lives."""
type Address {
  """Street and number."""
  streetName: String!
  postcode: String
}

"""Where someone lives."""
input AddressInput {
  """Street and number."""
  streetName: String!
  postcode: String = null
}

"""Who may call a field."""
enum AuthLevel {
  AUTHENTICATED
  STAFF
  SUPERUSER
  CUSTOM
}

"""A colour."""
enum Color {
  RED
  GREEN
}

"""Date (isoformat)"""
scalar Date

"""Date with time (isoformat)"""
scalar DateTime

"""Decimal (fixed-point)"""
scalar Decimal

type Mutation {
  forgetPerson(name: String!): Boolean! @auth(requires: STAFF)
  savePerson(person: PersonInput!): Person!
}

type PagePerson {
  items: [Person!]!
  total: Int!
}

type Person {
  name: String!
  age: Int!
  address: Address!
  colors: [Color!]!
  tags: [String!]!
  label: String!
}

input PersonInput {
  name: String!
  age: Int!
  address: AddressInput!
  colors: [Color!]! = []
  tags: [String!] = null
}

type Query {
  """List people, optionally of one colour."""
  people(color: Color = null, limit: Int! = 10): PagePerson!
  scalars(value: ScalarsInput!): Scalars!
}

type Scalars {
  when: DateTime!
  day: Date!
  at: Time!
  amount: Decimal!
  ident: UUID!
  ratio: Float!
  flag: Boolean!
}

input ScalarsInput {
  when: DateTime!
  day: Date!
  at: Time!
  amount: Decimal!
  ident: UUID!
  ratio: Float!
  flag: Boolean!
}

"""Time (isoformat)"""
scalar Time

scalar UUID
'''


def test_sdl_snapshot() -> None:
    register_everything()
    assert get_schema().sdl() == SDL_SNAPSHOT


def test_one_model_as_input_and_output_round_trips() -> None:
    register_everything()
    person = Person(
        name="Ada",
        age=36,
        address=Address(street_name="1 Main St"),
        colors=[Color.GREEN],
        tags=["x"],
    )
    result = MizanTestClient().call("save_person", person=person)
    assert result.errors == []
    assert result.data == person


def test_generic_and_enum_outputs() -> None:
    register_everything()
    result = MizanTestClient().call("people", color=Color.RED)
    assert result.data.total == 1
    assert result.data.items[0].colors == [Color.RED]
    assert result.data.items[0].label == "Ada (36)"


def test_every_scalar_round_trips() -> None:
    register_everything()
    value = Scalars(
        when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        day=datetime.date(2024, 1, 2),
        at=datetime.time(3, 4),
        amount=decimal.Decimal("1.10"),
        ident=uuid.uuid4(),
        ratio=0.5,
        flag=True,
    )
    assert MizanTestClient().call("scalars", value=value).data == value


def test_same_code_gives_byte_identical_sdl(registry) -> None:  # type: ignore[no-untyped-def]
    from mizan.setup.registry import use_registry

    register_everything()
    first = get_schema().sdl()
    with use_registry():
        register_everything()
        assert get_schema().sdl() == first


def test_two_python_types_with_one_graphql_name_is_an_error() -> None:
    def make() -> type[BaseModel]:
        class Output(BaseModel):
            a: int

        return Output

    first, second = make(), make()

    @client(read_only=True)
    def one(request) -> first:  # type: ignore[valid-type]
        return first(a=1)

    @client(read_only=True)
    def two(request) -> second:  # type: ignore[valid-type]
        return second(a=1)

    with pytest.raises(RegistrationError, match="both be the GraphQL type 'Output'"):
        get_schema()


def test_nested_classes_carry_their_owner_name() -> None:
    class ChatChannel:
        class Message(BaseModel):
            text: str

    @client(read_only=True)
    def last(request) -> ChatChannel.Message:
        return ChatChannel.Message(text="hi")

    assert "type ChatChannelMessage {" in get_schema().sdl()


def test_recursive_models() -> None:
    class Node(BaseModel):
        name: str
        children: list["Node"] = []

    Node.model_rebuild()

    @client(read_only=True)
    def tree(request, root: Node) -> Node:
        return root

    root = Node(name="a", children=[Node(name="b", children=[Node(name="c")])])
    assert MizanTestClient().call("tree", root=root).data == root


def test_returning_a_dict_for_a_model_is_validated() -> None:
    class Sent(BaseModel):
        sent: bool

    @client
    def send(request) -> Sent:
        return {"sent": True}  # type: ignore[return-value]

    assert MizanTestClient().call("send").data == Sent(sent=True)


def test_scalar_list_and_optional_returns() -> None:
    @client(read_only=True)
    def numbers(request, n: int) -> list[int]:
        return list(range(n))

    @client(read_only=True)
    def maybe(request, give: bool) -> str | None:
        return "yes" if give else None

    sdl = get_schema().sdl()
    assert "numbers(n: Int!): [Int!]!" in sdl
    assert "maybe(give: Boolean!): String" in sdl
    assert MizanTestClient().call("numbers", n=3).data == [0, 1, 2]
    assert MizanTestClient().call("maybe", give=False).data is None


def test_a_schema_of_mutations_only_still_has_a_query_root() -> None:
    @client
    def act(request) -> bool:
        return True

    assert "_ok: Boolean!" in get_schema().sdl()


def test_async_functions_run_sync_and_async() -> None:
    @client(read_only=True)
    async def later(request, text: str) -> str:
        return text.upper()

    assert MizanTestClient().call("later", text="a").data == "A"


async def test_sync_functions_run_from_async_execution() -> None:
    @client(read_only=True)
    def now(request, text: str) -> str:
        return text.upper()

    @client(read_only=True)
    async def later(request, text: str) -> str:
        return text.lower()

    assert (await MizanTestClient().acall("now", text="a")).data == "A"
    assert (await MizanTestClient().acall("later", text="B")).data == "b"


def test_strawberry_id_is_the_id_scalar() -> None:
    import strawberry

    @client(read_only=True)
    def lookup(request, key: strawberry.ID, other: strawberry.ID | None = None) -> str:
        return f"{key}/{other}"

    assert "lookup(key: ID!, other: ID = null): String!" in get_schema().sdl()
    assert MizanTestClient().call("lookup", key="7").data == "7/None"


def test_an_uploaded_file_cannot_be_returned() -> None:
    from django.core.files.uploadedfile import UploadedFile

    @client(read_only=True)
    def give(request) -> UploadedFile:
        raise NotImplementedError

    with pytest.raises(RegistrationError, match="an uploaded file can be received, not returned"):
        get_schema()


def test_garbage_collection_is_paused_only_while_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from mizan.schema import compiler
    from mizan.setup.registry import get_registry

    @client(read_only=True)
    def ping(request) -> bool:
        return True

    during: list[bool] = []
    real = compiler._compile

    def observed(definitions, channels, contexts):  # type: ignore[no-untyped-def]
        during.append(gc.isenabled())
        return real(definitions, channels, contexts)

    monkeypatch.setattr(compiler, "_compile", observed)
    assert gc.isenabled()
    compiler.compile_schema(list(get_registry()))
    assert during == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        compiler.compile_schema(list(get_registry()))
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_garbage_collection_resumes_when_compiling_fails() -> None:
    import gc

    from mizan.schema.compiler import compile_schema
    from mizan.setup.registry import get_registry

    @client(read_only=True)
    def broken(request) -> complex:
        return 1j

    with pytest.raises(RegistrationError):
        compile_schema(list(get_registry()))
    assert gc.isenabled()

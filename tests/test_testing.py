from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from pydantic import BaseModel

from mizan.client import client
from mizan.testing import MizanTestClient


class Output(BaseModel):
    message: str


@pytest.fixture(autouse=True)
def functions() -> None:
    @client(auth=True)
    def whoami(request, suffix: str = "") -> Output:
        return Output(message=request.user.username + suffix)


@pytest.mark.django_db
def test_call_as_a_user_returns_typed_data() -> None:
    user = User.objects.create_user("ada")
    result = MizanTestClient(user=user).call("whoami", suffix="!")
    assert result.ok
    assert result.data == Output(message="ada!")


def test_anonymous_call_returns_the_errors() -> None:
    result = MizanTestClient().call("whoami")
    assert not result.ok
    assert result.data is None
    assert result.codes == ["UNAUTHENTICATED"]


@pytest.mark.django_db(transaction=True)
async def test_async_call() -> None:
    class Ada:
        is_authenticated = True
        username = "ada"

    result = await MizanTestClient(user=Ada()).acall("whoami")
    assert result.data == Output(message="ada")


def test_unknown_function_and_argument_are_clear() -> None:
    with pytest.raises(LookupError, match="No mizan function 'nope'; registered: whoami"):
        MizanTestClient().call("nope")
    with pytest.raises(TypeError, match=r"unexpected arguments \['wrong'\]"):
        MizanTestClient().call("whoami", wrong=1)

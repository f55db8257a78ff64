"""The demo's chat: a ReactChannel, served as a subscription and a send mutation."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from mizan.channels import ReactChannel


class ChatChannel(ReactChannel):
    """A chat room. Anyone logged in may read and post."""

    class Params(BaseModel):
        room: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w-]+$")]

    class DjangoMessage(BaseModel):
        text: str
        author: str
        at: datetime.datetime

    class ReactMessage(BaseModel):
        text: Annotated[str, Field(min_length=1, max_length=500)]

    def authorize(self, params: Params) -> bool:
        return bool(self.user.is_authenticated)

    def group(self, params: Params) -> str:
        return f"chat_{params.room}"

    def receive(self, params: Params, message: ReactMessage) -> None:
        """Post a message to a chat room."""
        ChatChannel.send(
            ChatChannel.DjangoMessage(
                text=message.text,
                author=self.user.username,
                at=datetime.datetime.now(datetime.UTC),
            ),
            room=params.room,
        )

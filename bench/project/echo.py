"""The one function every variant serves: ``echo(text) -> Output``."""

from pydantic import BaseModel


class Output(BaseModel):
    message: str


def echo(text: str) -> Output:
    return Output(message=text)

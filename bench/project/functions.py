"""(c) mizan, with its defaults."""

from bench.project import echo as impl
from bench.project.echo import Output
from mizan.client import client
from mizan.setup.registry import register


@client
def echo(request, text: str) -> Output:
    return impl.echo(text)


register(echo, "echo")

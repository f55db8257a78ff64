"""(c) mizan, with its defaults."""

from bench.project import books as shelf
from bench.project import echo as impl
from bench.project.echo import Output
from mizan import client, register


@client
def echo(request, text: str) -> Output:
    return impl.echo(text)


register(echo, "echo")


@client(context="catalog", public=True, ttl=300)
def product(request, product_id: int) -> impl.Product:
    """A public context: cached once for everyone (LocMem here)."""
    return impl.product(product_id)


@client(read_only=True)
def books(request) -> list[shelf.BookType]:
    """(m) 50 books with their author: strawberry-django's type and optimizer, through mizan."""
    return shelf.all_books()

"""The one function every variant serves: ``echo(text) -> Output``."""

from pydantic import BaseModel


class Output(BaseModel):
    message: str


def echo(text: str) -> Output:
    return Output(message=text)


class Product(BaseModel):
    id: int
    name: str
    price_cents: int
    tags: list[str]


def product(product_id: int) -> Product:
    """The data a cached read serves; the plain view builds the same on every request."""
    return Product(
        id=product_id,
        name=f"Product {product_id}",
        price_cents=1999 + product_id,
        tags=["new", "bench"],
    )

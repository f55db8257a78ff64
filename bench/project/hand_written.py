"""(b) and (d): the schema a developer writes by hand with Strawberry and its pydantic support."""

import strawberry
import strawberry.experimental.pydantic
from strawberry.extensions import ParserCache, ValidationCache

from bench.project import echo as impl


@strawberry.experimental.pydantic.type(model=impl.Output, all_fields=True)
class Output:
    pass


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def echo(self, text: str) -> Output:
        return Output.from_pydantic(impl.echo(text))


schema = strawberry.Schema(query=Query, mutation=Mutation)

# What Strawberry's docs suggest for speed: both caches, bounded.
tuned_schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)],
)

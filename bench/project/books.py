"""The model-results benchmark: 50 books with their author, the same strawberry-django
type served (m) by mizan and (s) by a hand-written strawberry-django schema with its
optimizer, as strawberry-django's docs write it."""

import strawberry
import strawberry_django
from strawberry import auto
from strawberry_django.optimizer import DjangoOptimizerExtension

from bench.project.models import Author, Book


@strawberry_django.type(Author)
class AuthorType:
    id: auto
    name: auto


@strawberry_django.type(Book)
class BookType:
    id: auto
    title: auto
    year: auto
    author: AuthorType


@strawberry.type
class Query:
    books: list[BookType] = strawberry_django.field()


schema = strawberry.Schema(query=Query, extensions=[DjangoOptimizerExtension])


def all_books() -> object:
    return Book.objects.all()

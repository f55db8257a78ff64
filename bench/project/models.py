"""Rows for the model-results benchmark: books and their author (one foreign key)."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=80)

    class Meta:
        app_label = "bench"


class Book(models.Model):
    title = models.CharField(max_length=120)
    year = models.PositiveIntegerField()
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)

    class Meta:
        app_label = "bench"
        ordering = ["pk"]


ROWS = 50


def create_and_seed() -> None:
    """The bench's database is SQLite in memory, one per server process: its tables and
    its 50 books (5 authors) are made when the process starts."""
    from django.db import connection

    with connection.schema_editor() as editor:
        editor.create_model(Author)
        editor.create_model(Book)
    authors = Author.objects.bulk_create(Author(name=f"Author {i}") for i in range(5))
    Book.objects.bulk_create(
        Book(title=f"Book {i}", year=1950 + i, author=authors[i % 5]) for i in range(ROWS)
    )

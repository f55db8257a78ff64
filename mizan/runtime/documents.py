"""Documents: each text parsed and validated once, against the limits, then kept (bounded).

Documents are cached by their full text, per runtime: a client cannot pick a
cache entry with a hash of its own, and a new runtime (a new registry, new
settings) starts a new cache. Each entry also knows, per operation, its type
and the first root field that takes form data (``post_only``): a request in a
URL is refused on that before anything runs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLError, OperationDefinitionNode
from strawberry.types.graphql import OperationType

from mizan.runtime.errors import Refusal
from mizan.schema.selections import root_fields

# The cache's bound in document text, besides its number of entries. A parsed
# document keeps every token for error locations: ~180 bytes a character for a
# dense one, so this caps the cache near 200 MB whatever clients send, while
# hundreds of ordinary documents (a few hundred characters each) fit.
CACHE_CHARACTERS = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a document: its name, its type, and a root field taking form data."""

    name: str | None
    kind: OperationType
    post_only: str | None  # the first such root field's name, or None


@dataclass(frozen=True, slots=True)
class Document:
    """One document text, parsed and validated against one schema."""

    node: DocumentNode | None
    errors: tuple[GraphQLError, ...]  # parse errors when node is None, else validation errors
    operations: Mapping[str, Operation]  # named operations
    first: Operation | None

    def operation(self, name: object) -> Operation:
        """The operation a request runs, as Strawberry picks it: by name, else the first."""
        if name is None:
            if self.first is None:
                raise Refusal(400, "Can't get GraphQL operation type", "BAD_REQUEST")
            return self.first
        found = self.operations.get(name) if isinstance(name, str) else None
        if found is None:
            raise Refusal(400, f'Unknown operation named "{name}".', "BAD_REQUEST")
        return found


def analyse(
    node: DocumentNode, errors: tuple[GraphQLError, ...], post_only: frozenset[str]
) -> Document:
    """A parsed document's operations; ``post_only`` names the root fields taking form data."""
    fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
    operations: dict[str, Operation] = {}
    first: Operation | None = None
    for definition in node.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        name = definition.name.value if definition.name else None
        form = next(
            (
                field.name.value
                for field in root_fields(definition.selection_set, fragments)
                if field.name.value in post_only
            ),
            None,
        )
        operation = Operation(name, OperationType(definition.operation.value), form)
        first = first or operation
        if name is not None:
            operations.setdefault(name, operation)
    return Document(node, errors, operations, first)


class DocumentCache:
    """A thread-safe LRU of prepared documents, bounded in entries and in characters."""

    def __init__(
        self,
        prepare: Callable[[str], Document],
        *,
        max_entries: int,
        max_characters: int = CACHE_CHARACTERS,
    ) -> None:
        self.prepare = prepare
        self.max_entries = max_entries
        self.max_characters = max_characters
        self.characters = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, text: object) -> bool:
        return text in self._entries

    def get(self, text: str, prepare: Callable[[str], Document] | None = None) -> Document:
        """The prepared document; on a miss ``prepare`` (default: the cache's) makes it."""
        with self._lock:
            document = self._entries.get(text)
            if document is not None:
                self._entries.move_to_end(text)
                self.hits += 1
                return document
            self.misses += 1
        document = (prepare or self.prepare)(text)  # outside the lock: others go on meanwhile
        if len(text) > self.max_characters or self.max_entries < 1:
            return document
        with self._lock:
            if text not in self._entries:
                self._entries[text] = document
                self.characters += len(text)
                while len(self._entries) > self.max_entries or (
                    self.characters > self.max_characters
                ):
                    evicted, _ = self._entries.popitem(last=False)
                    self.characters -= len(evicted)
        return document

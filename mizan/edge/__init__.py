"""What an edge needs: the invalidation header's grammar, surrogate keys, the manifest and
the resolver that turns one into URLs and keys to purge."""

from mizan.edge.header import format_invalidations, parse_invalidations
from mizan.edge.keys import surrogate_key, surrogate_keys
from mizan.edge.manifest import generate_edge_manifest
from mizan.edge.resolve import Purge, resolve_invalidation
from mizan.exceptions import MalformedHeader, ManifestError

__all__ = [
    "MalformedHeader",
    "ManifestError",
    "Purge",
    "format_invalidations",
    "generate_edge_manifest",
    "parse_invalidations",
    "resolve_invalidation",
    "surrogate_key",
    "surrogate_keys",
]

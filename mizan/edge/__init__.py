"""What an edge needs: the invalidation header's grammar, surrogate keys, the manifest and
the resolver that turns one into URLs and keys to purge."""

from mizan.edge.header import MalformedHeader, format_invalidations, parse_invalidations
from mizan.edge.keys import surrogate_key, surrogate_keys
from mizan.edge.manifest import ManifestError, generate_edge_manifest
from mizan.edge.resolve import Purge, resolve_invalidation

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

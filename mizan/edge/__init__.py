"""What the edge needs: the invalidation header's grammar (and, later, the manifest)."""

from mizan.edge.header import format_invalidations, parse_invalidations

__all__ = ["format_invalidations", "parse_invalidations"]

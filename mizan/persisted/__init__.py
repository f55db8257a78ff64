"""Persisted operations: mizan's own documents and trusted client documents, served as
canonical GET URLs that an edge can cache and purge."""

"""Hostile and sloppy clients against a live server, over every transport.

``make fuzz`` (``python -m tests.fuzz``) sends GraphQL documents generated from the
live schema (hypothesis-graphql, valid and invalid) and malformed bodies to the
example project served by daphne: JSON ``POST``, ``GET``, multipart ``POST``,
persisted ``q/`` and ``ctx/`` URLs, and WebSocket frames. Every HTTP answer must be
below 500, JSON, and free of internal messages; every WebSocket frame answered with
JSON or a close code, never a silent, dead socket. ``tests/test_fuzz.py`` runs a
smaller count in the suite.
"""

"""A small mizan project served by real daphne processes sharing one Redis: the rate-limit
tests run two of them at once (``tests/test_ratelimit_processes.py``)."""

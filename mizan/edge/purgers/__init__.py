"""CDN purgers: what ``MIZAN["PURGERS"]`` names, run after commit for every invalidation.

    MIZAN = {"PURGERS": [
        {"BACKEND": "mizan.edge.purgers.Varnish", "SERVERS": ["http://127.0.0.1:6081"]},
    ]}

Write your own by subclassing :class:`Purger`: declare ``OPTIONS``, turn a
:class:`~mizan.edge.resolve.Purge` into :class:`Request` objects, judge a
:class:`Response` in ``accepted``.
"""

from mizan.edge.purgers.backends import HTTP, Cloudflare, Fastly, Varnish
from mizan.edge.purgers.base import Option, Purger, Request, Response
from mizan.edge.purgers.dispatch import Dispatcher, flush, purged
from mizan.exceptions import PurgeError

__all__ = [
    "HTTP",
    "Cloudflare",
    "Dispatcher",
    "Fastly",
    "Option",
    "PurgeError",
    "Purger",
    "Request",
    "Response",
    "Varnish",
    "flush",
    "purged",
]

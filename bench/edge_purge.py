"""Commit-to-purge latency behind a real Varnish, stale reads, and over-purges.

    python bench/edge_purge.py [--mutations 100] [--users 20] [--readers 3]   (make bench-edge)

The example project runs in this process (a threaded WSGI server on a free port, so the
commit and the purge acknowledgement are timed on one clock) behind varnishd running
mizan's VCL. Every user's four public URLs are cached; then each mutation renames one
user, two ways:

- purger: the mutation goes straight to the origin; mizan's Varnish purger sends the
  xkey PURGE after commit. Latency: commit → Varnish's 200 to the PURGE.
- vcl: the mutation goes through Varnish, whose VCL purges on the response's
  X-Mizan-Invalidate before passing it on. Latency: commit → the client has the
  response (the purge happened before its first byte left Varnish).

After each mutation: a stale read is any of the user's four URLs served from cache or
without the new name; an over-purge is an object dropped beyond those four (Varnish's
count), or any other user's URL that stopped being a hit. Purge to fresh: the purge
acknowledged (purger: Varnish's 200; vcl: the client has the mutation's response) → the
end of the first read through Varnish that shows the new name. With ``--readers N``, N
threads read random users' bundles and profiles through Varnish without pause meanwhile;
a read that began after a mutation's response and shows an older name is stale too.
(The second purge, PURGE_REPEAT_DELAY later, is switched off here: it would drop the
user's URLs again while the next mutations are measured.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "example_project"), str(ROOT)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--readers", type=int, default=0)
    args = parser.parse_args()
    varnishd = shutil.which("varnishd")
    if varnishd is None:
        print("varnishd not found: apt-get install varnish varnish-modules")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="mizan-bench-edge-"))
    try:
        return run(varnishd, workdir, args.mutations, args.users, args.readers)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(varnishd: str, workdir: Path, mutations: int, users: int, readers: int) -> int:
    from tests.services import free_port

    origin_port, varnish_port = free_port(), free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="example.settings",
        MIZAN_EXAMPLE_DB=str(workdir / "db.sqlite3"),
        MIZAN_EDGE_VARNISH=f"http://127.0.0.1:{varnish_port}",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    from mizan.edge.purgers import purged
    from mizan.invalidation import invalidated
    from tests.edge.stack import CSRF, Stack, fetch, user_urls

    settings.DEBUG = False  # no query log growing across thousands of requests
    settings.MIZAN["PURGE_REPEAT_DELAY"] = 0
    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    ids = [user_model.objects.create_user(f"u{i}", first_name=f"User {i}").pk for i in range(users)]
    user_model.objects.create_user("root", password="pw", is_staff=True)
    login = Client()
    assert login.login(username="root", password="pw")
    session = login.cookies["sessionid"].value

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Origin(ThreadedWSGIServer):
        # wsgiref writes the headers and the body apart: without TCP_NODELAY, Nagle and
        # Varnish's delayed ACK add ~40 ms to every response (asyncio servers set it).
        def get_request(self) -> tuple[socket.socket, Any]:
            connection, address = super().get_request()
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return connection, address

    server = Origin(("127.0.0.1", origin_port), QuietHandler)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    stack = Stack(workdir, varnishd)
    stack.origin_port, stack.varnish_port = origin_port, varnish_port
    stack.start_varnish()

    commits: list[float] = []
    acks: list[tuple[float, float, int | None, str | None]] = []
    invalidated.connect(lambda sender, **kw: commits.append(time.monotonic()), weak=False)
    purged.connect(
        lambda sender, **kw: acks.append(
            (kw["committed"], kw["acknowledged"], kw["purged"], kw["error"])
        ),
        weak=False,
    )

    def rename(port: int, user_id: int, name: str) -> dict[str, str]:
        body = json.dumps(
            {
                "query": "mutation($id: Int!, $n: String!) { rename(userId: $id, name: $n) "
                "{ displayName } }",
                "variables": {"id": user_id, "n": name},
            }
        ).encode()
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
        }
        reply = fetch(port, "POST", "/api/mizan/graphql/", headers=headers, body=body)
        assert reply.status == 200 and b"errors" not in reply.body, reply.body
        return reply.headers

    def warm(user_id: int) -> None:
        for url in user_urls(user_id):
            for _ in range(3):
                if stack.edge("GET", url).cache == "hit":
                    break
            else:
                raise AssertionError(f"{url} never became a hit")

    def stale_reads(user_id: int, name: str) -> tuple[int, float]:
        """Stale reads among the user's URLs, and when the first of them (the bundle, with
        the name) came back fresh (``inf`` if it did not). With readers, one of them may
        have fetched a URL again first: a hit with the name is fresh then (the notes,
        which show no name, are judged without readers only)."""
        stale, first = 0, float("inf")
        for url in user_urls(user_id):
            reply = stack.edge("GET", url)
            if "UserNotes" in url:
                fresh = readers > 0 or reply.cache != "hit"
            else:
                fresh = (readers > 0 or reply.cache != "hit") and name.encode() in reply.body
            if fresh and first == float("inf"):
                first = time.monotonic()
            stale += not fresh
        return stale, first

    def others_missing(user_id: int) -> int:
        return sum(
            stack.edge("GET", url).cache != "hit"
            for other in ids
            if other != user_id
            for url in user_urls(other)
        )

    shown: dict[int, int] = {}  # user → index of the last rename whose response was received
    current = [""]  # the mode measured
    reader_stale = [0]
    reading = threading.Event()

    def reader(seed: int) -> None:
        import random

        generator = random.Random(seed)
        while reading.is_set():
            user_id = generator.choice(ids)
            epoch = current[0]
            floor = shown.get(user_id, -1)
            url = generator.choice(user_urls(user_id)[:2])  # the bundle and the profile
            body = stack.edge("GET", url).body.decode()
            if not epoch or current[0] != epoch:  # between two modes: not counted
                continue
            prefix = f"{epoch} #"
            names = [part.split('"')[0] for part in body.split('"displayName":"')[1:]]
            index = max(
                (int(n.removeprefix(prefix)) for n in names if n.startswith(prefix)), default=-1
            )
            reader_stale[0] += index < floor

    results = []
    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(readers)]
    try:
        for user_id in ids:
            warm(user_id)
        reading.set()
        for thread in threads:
            thread.start()
        for mode in ("purger", "vcl"):
            settings.MIZAN["PURGERS"] = (
                [{"BACKEND": "mizan.edge.purgers.Varnish", "SERVERS": [stack.edge_url]}]
                if mode == "purger"
                else []
            )
            latencies, to_fresh, stale, over = [], [], 0, 0
            current[0] = ""
            reader_stale[0] = 0
            shown.clear()
            current[0] = mode
            for i in range(mutations):
                user_id = ids[i % len(ids)]
                name = f"{mode} #{i}"
                commits.clear()
                acks.clear()
                if mode == "purger":
                    rename(origin_port, user_id, name)
                    (committed, acknowledged, count, error) = acks[-1]
                    assert error is None, error
                else:
                    headers = rename(varnish_port, user_id, name)
                    acknowledged = time.monotonic()
                    committed = commits[-1]
                    count = int(headers["x-mizan-purged"])
                shown[user_id] = i
                latencies.append((acknowledged - committed) * 1000)
                found, fresh_at = stale_reads(user_id, name)
                stale += found
                to_fresh.append((fresh_at - acknowledged) * 1000)
                over += max(0, (count or 0) - len(user_urls(user_id)))
                over += others_missing(user_id)
                warm(user_id)
            results.append(
                (
                    mode,
                    statistics.median(latencies),
                    p95(latencies),
                    p95(to_fresh),
                    stale + reader_stale[0],
                    over,
                )
            )
    finally:
        reading.clear()
        for thread in threads:
            thread.join(5)
        stack.close()
        server.shutdown()

    print(
        f"\n{mutations} mutations per mode, {users} users x 4 cached URLs, {readers} "
        f"concurrent readers, Varnish {varnishd}"
    )
    print(
        f"{'mode':<8} {'purge median ms':>16} {'purge p95 ms':>13} {'purge→fresh p95':>16} "
        f"{'stale reads':>12} {'over-purged':>12}"
    )
    for mode, median, purge95, fresh95, stale, over in results:
        print(f"{mode:<8} {median:>16.2f} {purge95:>13.2f} {fresh95:>16.2f} {stale:>12} {over:>12}")
    return 0 if all(r[4] == 0 and r[5] == 0 for r in results) else 1


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


if __name__ == "__main__":
    raise SystemExit(main())

"""The graphql-http package's server audit (the GraphQL over HTTP spec's MUSTs and SHOULDs)
against the example project served by daphne: every audit passes, none warns.

Node runs the audit (``js/audit/graphql-http.mjs``; the package's version is pinned by
``js/package-lock.json`` and installed by ``make js``); without Node or the installed
workspace the test skips, in CI it fails.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fuzz.server import live_example
from tests.services import missing, need_program

JS = Path(__file__).resolve().parent.parent / "js"


def test_every_graphql_http_audit_passes_without_warnings() -> None:
    node = need_program("node")
    if not (JS / "node_modules" / "graphql-http").is_dir():
        missing("js/node_modules has no graphql-http: run make js")
    with live_example() as port:
        run = subprocess.run(
            [node, "audit/graphql-http.mjs", f"http://127.0.0.1:{port}/api/mizan/graphql/"],
            cwd=JS,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 50  # the whole suite ran
    failed = [
        f"{r['status']}: {r['name']} ({r['reason']}; got {r['response']})"
        for r in results
        if r["status"] != "ok"
    ]
    assert failed == []

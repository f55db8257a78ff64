"""The graphql-http package's server audit (the GraphQL over HTTP spec's MUSTs and SHOULDs)
against the example project served by daphne: every audit passes, none warns.

Node runs the audit (``tests/graphql_http``, its version pinned by package-lock.json);
without Node the test skips, in CI it fails.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fuzz.server import live_example
from tests.services import need_program

AUDIT = Path(__file__).resolve().parent / "graphql_http"


def install(npm: str) -> None:
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AUDIT,
            check=True,
            capture_output=True,
            timeout=300,
        )


def test_every_graphql_http_audit_passes_without_warnings() -> None:
    node = need_program("node")
    install(need_program("npm"))
    with live_example() as port:
        run = subprocess.run(
            [node, "audit.mjs", f"http://127.0.0.1:{port}/api/mizan/graphql/"],
            cwd=AUDIT,
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

"""GraphiQL in a real browser with every host but 127.0.0.1 unreachable."""

from __future__ import annotations

from tests.browser.harness import Demo, need_graphiql


def test_graphiql_runs_echo_offline(site: Demo, node: str) -> None:
    need_graphiql()
    report = site.browse("graphiql.mjs", node)
    report.check()
    assert [step["name"] for step in report.data["steps"]] == [
        "loaded",
        "echo shown",
        "example loaded",
        "auth shown",
        "subscription shown",
    ]
    # The page, its script, stylesheet and Monaco's workers all came from the demo itself.
    paths = {url.split("?")[0].removeprefix(site.base) for url in report.data["requests"]}
    assert {
        "/api/mizan/graphql/",
        "/static/mizan/graphiql/graphiql.js",
        "/static/mizan/graphiql/graphiql.css",
        "/static/mizan/graphiql/editor.worker.js",
    } <= paths
    assert f"ws://127.0.0.1:{site.port}/api/mizan/graphql/" in report.data["requests"]

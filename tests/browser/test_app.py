"""The example project's React app (js/app/) on the generated client, in a real browser with
every host but 127.0.0.1 unreachable."""

from __future__ import annotations

from tests.browser.harness import Demo, need_app


def test_login_rename_field_error_and_chat_across_tabs(site: Demo, node: str) -> None:
    need_app()
    report = site.browse("app.mjs", node)
    report.check()
    passed = [step["name"] for step in report.data["steps"]]
    assert [name for name in passed if "attempt" not in name] == [
        "logged in",
        "renamed without a reload",
        "field error on blur",
        "chat across two tabs",
    ]
    paths = {url.split("?")[0].removeprefix(site.base) for url in report.data["requests"]}
    assert {"/app/", "/static/demo/app/app.js", "/api/mizan/ctx/user/"} <= paths
    assert f"ws://127.0.0.1:{site.port}/api/mizan/graphql/" in report.data["requests"]

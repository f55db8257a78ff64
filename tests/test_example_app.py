"""The example project serves its React app from a Django template when it is built, and says
how to get it when it is not (the browser test, tests/browser/test_app.py, runs the app)."""

from __future__ import annotations

from pathlib import Path

from tests.example import example_env, run_manage

SCRIPT = r"""
import os
from pathlib import Path
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
import demo.views

call_command("migrate", interactive=False, verbosity=0)
get_user_model().objects.create_user("ada", password="pw")
built = Path(os.environ["MIZAN_TEST_APP_DIR"]) / "app.js"

demo.views.APP = built  # not built yet
missing = Client(HTTP_HOST="localhost").get("/app/me/")
assert missing.status_code == 503 and b"make demo" in missing.content, missing.status_code
home = Client(HTTP_HOST="localhost").get("/").content
assert b"The React app (<code>js/app/</code>" in home and b"make demo" in home

built.write_text("")
browser = Client(HTTP_HOST="localhost")
browser.login(username="ada", password="pw")
for url, name in [("/app/", "home"), ("/app/me/", "me"), ("/app/contact/", "contact"),
                  ("/app/chat/?room=x", "chat")]:
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code)
    html = page.content.decode()
    assert f"<div id=\"app\" data-page=\"{name}\">" in html, url
    assert '<script type="module" src="/static/demo/app/app.js">' in html
    assert '<script id="mizan-global" type="application/json">' in html  # hydrated
    assert '"username": "ada"' in html
    assert "csrftoken" in page.cookies or "csrftoken" in browser.cookies
assert b'<a href="/app/">The React app</a>' in browser.get("/").content
print("app ok")
"""


def test_the_app_pages_and_the_note_without_them(tmp_path: Path) -> None:
    env = example_env(tmp_path, MIZAN_TEST_APP_DIR=str(tmp_path))
    result = run_manage(env, "shell", "--no-imports", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "app ok" in result.stdout

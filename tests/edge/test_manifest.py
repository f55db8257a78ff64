from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pydantic import BaseModel

from mizan.client import client
from mizan.edge import (
    MalformedHeader,
    ManifestError,
    generate_edge_manifest,
    resolve_invalidation,
)
from mizan.edge.manifest import to_json
from mizan.setup.registry import use_registry
from tests.edge import urls
from tests.example import EXAMPLE, example_env, manage


class Profile(BaseModel):
    name: str


@pytest.fixture(autouse=True)
def urlconf(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.edge.urls"


def register(order: list[str] | None = None) -> None:
    def user_profile(request, user_id: int) -> Profile:
        return Profile(name="x")

    def user_posts(request, user_id: int, limit: int = 10) -> list[str]:
        return []

    def notifications(request) -> list[str]:
        return []

    def team(request, team_id: int) -> str:
        return ""

    steps = {
        "profile": lambda: client(context="user", public=True, ttl=60)(user_profile),
        "posts": lambda: client(context="user")(user_posts),
        "page": lambda: client(context="user")(urls.profile_page),
        "inbox": lambda: client(context="inbox")(notifications),
        "team": lambda: client(context="team", public=True)(team),
    }
    for step in order or list(steps):
        steps[step]()


def test_manifest_maps_contexts_to_operations_and_views() -> None:
    register()
    manifest = generate_edge_manifest()
    assert manifest["version"] == 1
    user = manifest["contexts"]["user"]
    assert user == {
        "endpoints": ["/api/mizan/ctx/user/"],
        "functions": [
            {"name": "profile_page", "path": "view"},
            {"name": "user_posts", "path": "rpc"},
            {"name": "user_profile", "path": "rpc"},
        ],
        "operations": {
            "UserContext": "/api/mizan/ctx/user/?user_id=:user_id",
            "UserPosts": "/api/mizan/q/UserPosts/?user_id=:user_id",
            "UserProfile": "/api/mizan/q/UserProfile/?user_id=:user_id",
        },
        "params": ["user_id"],
        "public": True,
        "live": False,
        "purge_by_key": [],
        "views": ["/people/:user_id/"],
    }


def test_private_contexts_are_marked_with_nothing_to_purge() -> None:
    register()
    assert generate_edge_manifest()["contexts"]["inbox"] == {
        "endpoints": [],
        "functions": [{"name": "notifications", "path": "rpc"}],
        "operations": {},
        "params": [],
        "public": False,
        "live": False,
        "purge_by_key": [],
        "views": [],
    }


def test_base_url_prefixes_every_url() -> None:
    register()
    user = generate_edge_manifest(base_url="https://example.com/")["contexts"]["user"]
    assert user["endpoints"] == ["https://example.com/api/mizan/ctx/user/"]
    assert user["views"] == ["https://example.com/people/:user_id/"]
    assert all(u.startswith("https://example.com/api/") for u in user["operations"].values())


def test_deterministic_whatever_the_registration_order() -> None:
    register(["team", "page", "posts", "inbox", "profile"])
    first = to_json(generate_edge_manifest())
    with use_registry():
        register(["profile", "inbox", "posts", "page", "team"])
        assert to_json(generate_edge_manifest()) == first


@pytest.mark.parametrize(
    ("view", "pattern"),
    [
        (urls.by_slug, "/people/:user_id/posts/:slug/"),
        (urls.by_uuid, "/people/:user_id/tokens/:token/"),
        (urls.files, "/people/:user_id/files/:rest"),
        (urls.legacy, "/legacy/:user_id/"),
    ],
)
def test_view_patterns_derived_from_each_converter(view: Any, pattern: str) -> None:
    client(context="user", public=True)(view)
    assert generate_edge_manifest()["contexts"]["user"]["views"] == [pattern]


def test_a_regex_that_is_not_a_pattern_asks_for_view_urls() -> None:
    client(context="user", public=True)(urls.clever)
    with pytest.raises(ManifestError, match="view_urls"):
        generate_edge_manifest()
    manifest = generate_edge_manifest(
        view_urls={"clever": ["/clever/:user_id/", "/clever/:user_id/extra/"]}
    )
    assert manifest["contexts"]["user"]["views"] == ["/clever/:user_id/", "/clever/:user_id/extra/"]


def test_an_unrouted_view_asks_for_view_urls() -> None:
    client(context="user", public=True)(urls.unrouted)
    with pytest.raises(ManifestError, match=r"'unrouted' .* is not in the URLconf"):
        generate_edge_manifest()
    assert generate_edge_manifest(view_urls={"unrouted": "/u/:user_id/"})["contexts"]["user"][
        "views"
    ] == ["/u/:user_id/"]


def test_a_trusted_document_reading_two_contexts(tmp_path: Path, settings: Any) -> None:
    register()
    path = tmp_path / "docs.json"
    path.write_text(
        json.dumps(
            {
                "a": "query Page($id: Int!, $team: Int!) { ...P team(teamId: $team) }"
                " fragment P on Query { userProfile(userId: $id) { name } }",
                "b": "query Mine($id: Int!) { userProfile(userId: $id) { name } }",
                "c": "query Everyone { userProfile(userId: 1) { name } }",
            }
        )
    )
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path)}
    contexts = generate_edge_manifest()["contexts"]
    assert contexts["user"]["operations"]["Mine"] == "/api/mizan/q/Mine/?id=:user_id"
    # A literal scope is one fixed URL, and $team is no key param of user: purge by key.
    assert contexts["user"]["purge_by_key"] == ["Everyone", "Page"]
    assert contexts["team"]["purge_by_key"] == ["Page"]


def test_export_command_prints_writes_and_checks(tmp_path: Path) -> None:
    register()
    out = StringIO()
    call_command("export_edge_manifest", stdout=out)
    assert json.loads(out.getvalue()) == generate_edge_manifest()
    target = tmp_path / "edge-manifest.json"
    call_command("export_edge_manifest", "--output", str(target), stdout=StringIO())
    call_command("export_edge_manifest", "--check", str(target), stdout=StringIO())
    target.write_text(target.read_text().replace("UserPosts", "Stale"))
    with pytest.raises(
        CommandError, match=r"is stale: run `python manage\.py export_edge_manifest"
    ):
        call_command("export_edge_manifest", "--check", str(target))


def test_export_command_base_url_and_view_urls() -> None:
    client(context="user", public=True)(urls.unrouted)
    out = StringIO()
    call_command(
        "export_edge_manifest",
        "--base-url",
        "https://x.test",
        "--view-urls",
        '{"unrouted": "/u/:user_id/"}',
        stdout=out,
    )
    assert json.loads(out.getvalue())["contexts"]["user"]["views"] == ["https://x.test/u/:user_id/"]
    with pytest.raises(CommandError, match="not in the URLconf"):
        call_command("export_edge_manifest")


class TestResolver:
    @pytest.fixture
    def manifest(self) -> dict[str, Any]:
        register()
        return generate_edge_manifest()

    def test_a_scoped_item_resolves_urls_and_keys(self, manifest: dict[str, Any]) -> None:
        purge = resolve_invalidation("user;user_id=5", manifest, base_url="https://x.test")
        assert purge.urls == (
            "https://x.test/api/mizan/ctx/user/?user_id=5",
            "https://x.test/api/mizan/q/UserPosts/?user_id=5",
            "https://x.test/api/mizan/q/UserProfile/?user_id=5",
            "https://x.test/people/5/",
        )
        assert purge.keys == ("user;user_id=5",)

    def test_a_whole_context_purges_by_key(self, manifest: dict[str, Any]) -> None:
        purge = resolve_invalidation("user, team", manifest)
        assert purge.keys == ("team", "user")
        assert purge.urls == ()  # every URL names a user_id or a team_id

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            ("5", "5"),
            ('"a b/c"', "a%20b%2Fc"),
            ('%"caf%c3%a9"', "caf%C3%A9"),
            ("?1", "true"),
            ("-3", "-3"),
        ],
    )
    def test_every_value_type_round_trips_escaped(
        self, manifest: dict[str, Any], value: str, text: str
    ) -> None:
        purge = resolve_invalidation(f"user;user_id={value}", manifest)
        assert f"/people/{text}/" in purge.urls
        assert purge.keys == (f"user;user_id={text}",)

    def test_a_context_without_key_params_purges_its_urls_whole(self) -> None:
        def menu(request) -> list[str]:
            return []

        client(context="catalog", public=True)(menu)
        purge = resolve_invalidation("catalog", generate_edge_manifest())
        assert purge.urls == ("/api/mizan/ctx/catalog/", "/api/mizan/q/Menu/")
        assert purge.keys == ("catalog",)

    def test_unknown_contexts_still_purge_their_keys(self, manifest: dict[str, Any]) -> None:
        assert resolve_invalidation("newer;x=1", manifest).keys == ("newer;x=1",)

    def test_private_contexts_purge_no_urls(self, manifest: dict[str, Any]) -> None:
        assert resolve_invalidation("inbox", manifest).urls == ()

    def test_malformed_headers_apply_nothing(self, manifest: dict[str, Any]) -> None:
        with pytest.raises(MalformedHeader):
            resolve_invalidation("user;user_id=5, ;;", manifest)


def export(seed: str) -> str:
    # The database is never opened: exporting reads the registry and the URLconf only.
    env = example_env(Path("/nonexistent"), PYTHONHASHSEED=seed)
    return manage(env, "export_edge_manifest")


def test_example_manifest_is_committed_fresh_and_byte_identical_across_processes() -> None:
    first, second = export("1"), export("2")
    assert first == second
    committed = (EXAMPLE / "edge-manifest.json").read_text()
    assert first == committed, "edge-manifest.json is stale: run `make manifest` and commit it."


def test_rates_are_listed_so_an_edge_can_enforce_them(settings: Any) -> None:
    register()

    @client(rate="10/5m", read_only=True)
    def search(request, text: str) -> list[str]:
        return []

    @client(rate="3/h", rate_key=lambda request: request.headers.get("X-Api-Key"))
    def send(request, text: str) -> int:
        return 1

    @client(rate=False, read_only=True)
    def health(request) -> bool:
        return True

    def user_name(request, user_id: int) -> str:
        return ""

    client(context="user", rate="100/m")(user_name)
    settings.MIZAN = {"DEFAULT_RATE": "1000/h"}
    rates = generate_edge_manifest()["rates"]
    assert rates["default"] == "1000/h"
    assert rates["functions"] == {
        "health": {
            "calls": None,
            "field": "health",
            "operations": {"Health": "/api/mizan/q/Health/"},
            "per": "user_or_ip",
            "rate": None,
            "seconds": None,
        },
        "search": {
            "calls": 10,
            "field": "search",
            "operations": {"Search": "/api/mizan/q/Search/"},
            "per": "user_or_ip",
            "rate": "10/5m",
            "seconds": 300,
        },
        "user_name": {
            "calls": 100,
            "field": "userName",
            "operations": {
                "UserContext": "/api/mizan/ctx/user/",
                "UserName": "/api/mizan/q/UserName/",
            },
            "per": "user_or_ip",
            "rate": "100/m",
            "seconds": 60,
        },
        "send": {
            "calls": 3,
            "field": "send",
            "operations": {},
            "per": "key",
            "rate": "3/h",
            "seconds": 3600,
        },
    }

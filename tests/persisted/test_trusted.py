"""Trusted client documents, Apollo's automatic persisted queries, trusted-only mode."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from mizan import execute
from mizan.client import client
from mizan.client import client as client_fn
from mizan.exceptions import RegistrationError
from mizan.schema import get_schema

pytestmark = pytest.mark.django_db


class Profile(BaseModel):
    name: str


@pytest.fixture(autouse=True)
def functions() -> None:
    @client(context="user", public=True)
    def user_profile(request, user_id: int) -> Profile:
        return Profile(name=f"user {user_id}")

    @client(context="team", public=True)
    def team_name(request, team_id: int) -> str:
        return f"team {team_id}"

    @client
    def shout(request, text: str) -> str:
        return text.upper()


PAGE = """
query ProfilePage($id: Int!, $team: Int!) {
  ...Who
  teamName(teamId: $team)
}
fragment Who on Query { userProfile(userId: $id) { name } }
"""
BROKEN = "query Broken { userProfile { nope } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def documents(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(
        json.dumps(
            {
                "sha256:page": PAGE,
                sha('mutation Shout { shout(text: "a") }'): 'mutation Shout { shout(text: "a") }',
            }
        )
    )
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path)}
    return path


def test_a_trusted_document_reading_two_contexts(client: Client, documents: Path) -> None:
    operation = get_schema().operations["ProfilePage"]
    assert operation.origin == "client" and operation.client_id == "sha256:page"
    assert [(r.context, r.variables) for r in operation.reads] == [
        ("team", (("team_id", "team"),)),
        ("user", (("user_id", "id"),)),
    ]
    response = client.get("/api/mizan/q/ProfilePage/?id=5&team=2")
    assert response.json() == {"data": {"userProfile": {"name": "user 5"}, "teamName": "team 2"}}
    assert response["xkey"] == "team team;team_id=2 user user;user_id=5"


def test_a_trusted_mutation_is_never_served_by_get(client: Client, documents: Path) -> None:
    response = client.get("/api/mizan/q/Shout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_an_invalid_trusted_document_stops_start_up(tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "docs.json"
    path.write_text(json.dumps({"abc": BROKEN}))
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path)}
    with pytest.raises(
        RegistrationError,
        match=r"'Broken' \(document 'abc' in .*docs.json\) is "
        r"invalid: .*'nope'",
    ):
        get_schema()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read as JSON"),
        ('["query A { x }"]', "expected a JSON object"),
        ('{"a": "{ userProfile(userId: 1) { name } }"}', "exactly one named operation"),
        ('{"a": "query UserProfile { teamName(teamId: 1) }"}', "Two persisted operations"),
    ],
)
def test_trusted_document_file_mistakes(
    tmp_path: Path, settings: Any, content: str, message: str
) -> None:
    path = tmp_path / "docs.json"
    path.write_text(content)
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path)}
    with pytest.raises(RegistrationError, match=message):
        get_schema()


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/mizan/graphql/", json.dumps(body), content_type="application/json")


QUERY = "query Mine { teamName(teamId: 7) }"
APQ = {"persistedQuery": {"version": 1, "sha256Hash": sha(QUERY)}}


def test_apq_miss_then_register_then_hit_over_post_and_get(client: Client) -> None:
    miss = post(client, {"extensions": APQ}).json()
    assert miss["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert post(client, {"query": QUERY, "extensions": APQ}).json() == {
        "data": {"teamName": "team 7"}
    }
    assert post(client, {"extensions": APQ}).json() == {"data": {"teamName": "team 7"}}
    over_get = client.get(
        "/api/mizan/graphql/", {"extensions": json.dumps(APQ)}, HTTP_ACCEPT="application/json"
    )
    assert over_get.json() == {"data": {"teamName": "team 7"}}


def test_apq_knows_mizan_operations_by_hash(client: Client) -> None:
    operation = get_schema().operations["TeamName"]
    body = post(
        client,
        {
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": operation.id}},
            "variables": {"team_id": 3},
        },
    ).json()
    assert body == {"data": {"teamName": "team 3"}}


def test_apq_rejects_a_hash_that_does_not_match(client: Client) -> None:
    body = post(client, {"query": "{ teamName(teamId: 1) }", "extensions": APQ}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    bad = post(client, {"extensions": {"persistedQuery": {"sha256Hash": 5}}}).json()
    assert "version" in bad["errors"][0]["message"]


@pytest.mark.parametrize(
    "digest",
    ["abc", "x" * 64, sha(QUERY).upper(), sha(QUERY) + "0", "mizan:apq:" + sha(QUERY), ""],
)
def test_an_apq_hash_must_be_64_hex_digits(client: Client, digest: str) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    for body in ({"extensions": extensions}, {"query": QUERY, "extensions": extensions}):
        error = post(client, body).json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert "64 lowercase hex digits" in error["message"]


def test_a_mutation_by_hash_over_get_is_refused(client: Client, documents: Path) -> None:
    text = 'mutation Shout { shout(text: "a") }'
    response = client.get(
        "/api/mizan/graphql/",
        {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha(text)}})},
    )
    assert response.status_code == 405


class TestTrustedOnly:
    @pytest.fixture(autouse=True)
    def trusted_only(self, documents: Path, settings: Any) -> None:
        settings.MIZAN = {**settings.MIZAN, "TRUSTED_DOCUMENTS_ONLY": True}

    def test_arbitrary_documents_are_refused(self, client: Client) -> None:
        body = post(client, {"query": "{ teamName(teamId: 1) }"}).json()
        assert body["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        assert "q/<Operation>" in body["errors"][0]["message"]

    def test_apq_cannot_register_new_documents(self, client: Client) -> None:
        body = post(client, {"query": QUERY, "extensions": APQ}).json()
        assert body["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        assert (
            post(client, {"extensions": APQ}).json()["errors"][0]["extensions"]["code"]
            == "PERSISTED_QUERY_NOT_FOUND"
        )

    def test_trusted_documents_run_by_text_by_hash_and_by_id(self, client: Client) -> None:
        variables = {"id": 1, "team": 2}
        expected = {"data": {"userProfile": {"name": "user 1"}, "teamName": "team 2"}}
        assert post(client, {"query": PAGE, "variables": variables}).json() == expected
        for digest in (sha(PAGE), "sha256:page"):
            assert (
                post(
                    client,
                    {
                        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                        "variables": variables,
                    },
                ).json()
                == expected
            )

    def test_graphiql_and_introspection_follow_the_switch(self, client: Client) -> None:
        assert client.get("/api/mizan/graphql/", HTTP_ACCEPT="text/html").status_code == 404
        assert "__schema" not in get_schema().sdl()  # the SDL file is still exportable
        body = post(client, {"query": "{ __schema { types { name } } }"}).json()
        assert body["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
        # Server code's own documents are trusted, but introspection stays off for them too.
        introspection = execute(None, "{ __schema { types { name } } }")
        assert introspection.errors and "introspection" in introspection.errors[0].message.lower()

    def test_persisted_urls_still_serve(self, client: Client) -> None:
        assert client.get("/api/mizan/q/UserProfile/?user_id=1").status_code == 200


TWO = (
    "query TwoProfiles($a: Int!, $b: Int!) { a: userProfile(userId: $a) { name } "
    "b: userProfile(userId: $b) { name } }"
)


@pytest.mark.django_db(transaction=True)
def test_a_document_reading_two_scopes_depends_on_both(
    client: Client, tmp_path: Path, settings: Any
) -> None:
    from mizan import invalidate
    from mizan.edge.manifest import generate_edge_manifest

    names = {5: "five", 6: "six"}

    @client_fn(context="crew", public=True)
    def crew_member(request: Any, member_id: int) -> Profile:
        return Profile(name=names[member_id])

    path = tmp_path / "documents.json"
    path.write_text(
        json.dumps(
            {
                "two": TWO.replace("userProfile(userId", "crewMember(memberId"),
                "same": "query Same($a: Int!) { a: crewMember(memberId: $a) { name } "
                "b: crewMember(memberId: $a) { name } }",
            }
        )
    )
    settings.MIZAN = {"PERSISTED_DOCUMENTS": str(path)}
    operation = get_schema().operations["TwoProfiles"]
    assert [r.variables for r in operation.reads] == [(("member_id", "a"),), (("member_id", "b"),)]
    assert len(get_schema().operations["Same"].reads) == 1  # one binding, one scope
    url = "/api/mizan/q/TwoProfiles/?a=5&b=6"
    first = client.get(url)
    assert first["xkey"] == "crew crew;member_id=5 crew;member_id=6"
    assert first.json()["data"] == {"a": {"name": "five"}, "b": {"name": "six"}}
    for member, side in ((6, "b"), (5, "a")):
        names[member] = names[member].upper()
        assert client.get(url).json()["data"][side]["name"] != names[member]  # stored
        invalidate("crew", member_id=member)
        assert client.get(url).json()["data"][side]["name"] == names[member]
    # Either scope's invalidation must reach it: the manifest purges it by key, since no
    # URL template of one scope names it.
    entry = generate_edge_manifest()["contexts"]["crew"]
    assert "TwoProfiles" in entry["purge_by_key"] and "TwoProfiles" not in entry["operations"]

import { QueryClient } from "@tanstack/react-query";
import { describe, expect, test, vi } from "vitest";
import { MizanClient, parseInvalidate, type Operation, type Schema } from "../src/client";
import { invalidate, queryKey } from "../src/react";

const schema: Schema = { hash: "abc", csrfCookie: "csrftoken", csrfHeader: "X-CSRFToken", maxUrlLength: 2048, inputs: {} };
const notes: Operation<{ userId: number; limit?: number }, string[]> = {
  name: "UserNotes",
  kind: "query",
  field: "userNotes",
  document: "query UserNotes($limit: Int! = 5, $user_id: Int!) { userNotes(userId: $user_id, limit: $limit) }",
  variables: [
    ["limit", "limit", "Int!", 5],
    ["userId", "user_id", "Int!"],
  ],
  path: "q/UserNotes/",
  context: "user",
  keys: ["user_id"],
};

describe("persisted GET URLs", () => {
  const client = new MizanClient(schema);

  test("parameters sorted, Python names, defaults omitted", () => {
    expect(client.url(notes, { userId: 5, limit: 3 })).toBe("/api/mizan/q/UserNotes/?limit=3&user_id=5");
    expect(client.url(notes, { userId: 5, limit: 5 })).toBe("/api/mizan/q/UserNotes/?user_id=5");
  });

  test("a URL over the server's limit is POSTed instead", () => {
    const short = new MizanClient({ ...schema, maxUrlLength: 40 });
    expect(short.url(notes, { userId: 5, limit: 3 })).toBeUndefined();
    expect(short.url(notes, { userId: 5 })).toBe("/api/mizan/q/UserNotes/?user_id=5");
  });

  test("a value with no canonical form is POSTed, for the server to name", () => {
    expect(client.url(notes, { userId: 2 ** 40 })).toBeUndefined();
  });

  test("query keys: context, key params, operation, other variables", () => {
    expect(queryKey(client, notes, { userId: 5, limit: 3 })).toEqual(["user", { user_id: "5" }, "UserNotes", { limit: "3" }]);
  });

  test("a long query goes as a POST with the document", async () => {
    const fetch = vi.fn(async () => Response.json({ data: { userNotes: ["a"] } }));
    const posting = new MizanClient({ ...schema, maxUrlLength: 40 }, { fetch });
    expect(await posting.request(notes, { userId: 5, limit: 3 })).toEqual(["a"]);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/mizan/graphql/");
    expect(JSON.parse(init.body as string)).toEqual({
      query: notes.document,
      operationName: "UserNotes",
      variables: { user_id: 5, limit: 3 },
    });
  });
});

describe("invalidation", () => {
  test("the header's grammar (RFC 8941)", () => {
    expect(parseInvalidate('user;user_id=5, notes, team;slug="a \\"b\\", c";on=?1')).toEqual([
      { context: "user", params: { user_id: 5 } },
      { context: "notes", params: {} },
      { context: "team", params: { slug: 'a "b", c', on: true } },
    ]);
    expect(parseInvalidate(null)).toEqual([]);
  });

  test("an item matches its context's queries whose key params hold all of its params", () => {
    const queries = new QueryClient();
    const keys = [
      ["user", { user_id: "5" }, "UserContext", {}],
      ["user", { user_id: "6" }, "UserContext", {}],
      ["user", { user_id: "5" }, "UserNotes", { limit: "3" }],
      ["global", {}, "GlobalContext", {}],
    ];
    for (const key of keys) queries.setQueryData(key, 1);
    const stale = () => keys.map((key) => queries.getQueryState(key)!.isInvalidated);
    invalidate(queries, [{ context: "user", params: { user_id: 5 } }]);
    expect(stale()).toEqual([true, false, true, false]);
    invalidate(queries, [{ context: "user", params: {} }]);
    expect(stale()).toEqual([true, true, true, false]);
  });
});

test("schema drift is reported once, by header", async () => {
  const onSchemaDrift = vi.fn();
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const fetch = vi.fn(async () => Response.json({ data: { userNotes: [] } }, { headers: { "X-Mizan-Schema": "def" } }));
  const client = new MizanClient(schema, { fetch, onSchemaDrift });
  await client.request(notes, { userId: 1 });
  await client.request(notes, { userId: 2 });
  expect(onSchemaDrift.mock.calls).toEqual([[{ expected: "abc", actual: "def" }]]);
  expect(warn).toHaveBeenCalledOnce();
  warn.mockRestore();
});

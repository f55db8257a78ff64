// @vitest-environment jsdom
import { createElement } from "react";
import { renderHook } from "@testing-library/react";
import { afterEach, expect, test, vi } from "vitest";
import { MizanClient, csrfToken, type Operation, type Schema } from "../src/client";
import { MizanProvider, useContextField } from "../src/react";

const schema: Schema = { hash: "abc", csrfCookie: "csrftoken", csrfHeader: "X-CSRFToken", maxUrlLength: 2048, inputs: {} };
const rename: Operation<{ userId: number }, string> = {
  name: "Rename",
  kind: "mutation",
  field: "rename",
  document: "mutation Rename($user_id: Int!) { rename(userId: $user_id) }",
  variables: [["userId", "user_id", "Int!"]],
};

afterEach(() => {
  document.cookie = "csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  document.body.innerHTML = "";
});

test("the CSRF token comes from the cookie, read at every request", async () => {
  const fetch = vi.fn(async () => Response.json({ data: { rename: "ok" } }));
  const client = new MizanClient(schema, { fetch });
  for (const token of ["first", "rotated%2Bat%2Blogin"]) {
    document.cookie = `csrftoken=${token}`;
    await client.request(rename, { userId: 1 });
  }
  const sent = fetch.mock.calls.map((call) => ((call as unknown[])[1] as RequestInit).headers as Record<string, string>);
  expect(sent.map((headers) => headers["X-CSRFToken"])).toEqual(["first", "rotated+at+login"]);
});

test("without a readable cookie, the token {% mizan_hydrate %} embedded", () => {
  document.body.innerHTML = '<script id="mizan-csrf" type="application/json">"embedded"</script>';
  expect(csrfToken("csrftoken")).toBe("embedded");
});

test("an invalidation named only by the X-Mizan-Invalidate header is applied", async () => {
  const fetch = vi.fn(async () => Response.json({ data: { rename: "ok" } }, { headers: { "X-Mizan-Invalidate": "user;user_id=1" } }));
  const onInvalidate = vi.fn();
  await new MizanClient(schema, { fetch }, onInvalidate).request(rename, { userId: 1 });
  expect(onInvalidate).toHaveBeenCalledWith([{ context: "user", params: { user_id: 1 } }]);
});

test("a context hook without its provider says which provider it needs", () => {
  const bundle: Operation = { name: "UserContext", kind: "query", field: "", document: "", variables: [], context: "user", provider: "UserProvider" };
  vi.spyOn(console, "error").mockImplementation(() => {});
  expect(() =>
    renderHook(() => useContextField(bundle, "userProfile"), {
      wrapper: ({ children }) => createElement(MizanProvider, { schema, hydrate: null }, children),
    }),
  ).toThrow("useUserProfile() needs a <UserProvider> above it.");
});

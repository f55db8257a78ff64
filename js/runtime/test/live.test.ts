// @vitest-environment jsdom
// Live contexts in React: the providers follow a subscription (MizanClient.subscribe, faked
// here) instead of fetching, and fetch as without `live` once it fails.
import { QueryClient } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, expect, test, vi } from "vitest";
import { MizanClient, MizanRequestError, type Operation, type Schema } from "../src/client";
import { MizanProvider, invalidate, useContextField, useContextProvider } from "../src/react";

const global: Operation = {
  name: "GlobalContext",
  kind: "query",
  field: "",
  document: "query GlobalContext { currentUser }",
  variables: [],
  path: "ctx/global/",
  context: "global",
  keys: [],
};
const globalLive: Operation = { ...global, name: "GlobalContextLive", kind: "subscription", field: "globalContext", path: undefined };
const user: Operation = {
  name: "UserContext",
  kind: "query",
  field: "",
  document: "query UserContext($user_id: Int!) { userProfile(userId: $user_id) }",
  variables: [["userId", "user_id", "Int!"]],
  path: "ctx/user/",
  context: "user",
  keys: ["user_id"],
  provider: "UserProvider",
};
const userLive: Operation = { ...user, name: "UserContextLive", kind: "subscription", field: "userContext", path: undefined };
const schema: Schema = { hash: "abc", csrfCookie: "csrftoken", csrfHeader: "X-CSRFToken", maxUrlLength: 2048, inputs: {}, global };

type Sink = { next(value: unknown): void; error(error: unknown): void; complete(): void };

/** MizanClient.subscribe faked: each subscription's operation, variables and sink. */
function subscriptions() {
  const made: { op: Operation; vars: unknown; sink: Sink; ended: boolean }[] = [];
  vi.spyOn(MizanClient.prototype, "subscribe").mockImplementation((op, vars, sink) => {
    const subscription = { op, vars, sink: sink as Sink, ended: false };
    made.push(subscription);
    return () => void (subscription.ended = true);
  });
  return made;
}

function root(props: { fetch: typeof fetch; live?: Operation; queryClient?: QueryClient }) {
  return ({ children }: { children: ReactNode }) => createElement(MizanProvider, { schema, hydrate: null, ...props }, children);
}

const fetched = (body: unknown) => vi.fn(async () => Response.json({ data: body }));

afterEach(() => void vi.restoreAllMocks());

test("a live MizanProvider follows the global context: no fetch, each push read by the global hooks", async () => {
  const made = subscriptions();
  const fetch = fetched({ currentUser: "fetched" });
  const queries = new QueryClient();
  const { result, unmount } = renderHook(() => useContextField<string>(global, "currentUser"), {
    wrapper: root({ fetch, live: globalLive, queryClient: queries }),
  });
  expect(made.map(({ op, vars }) => [op.name, vars])).toEqual([["GlobalContextLive", {}]]);
  act(() => made[0]!.sink.next({ currentUser: "ada" }));
  await waitFor(() => expect(result.current.data).toBe("ada"));
  // An invalidation of the global context refetches nothing: a push follows it.
  invalidate(queries, [{ context: "global", params: {} }]);
  act(() => made[0]!.sink.next({ currentUser: "bob" }));
  await waitFor(() => expect(result.current.data).toBe("bob"));
  await new Promise((done) => setTimeout(done, 50));
  expect(fetch).not.toHaveBeenCalled();
  unmount();
  expect(made[0]!.ended).toBe(true);
});

test("a live MizanProvider whose subscription fails fetches the global context", async () => {
  const made = subscriptions();
  const fetch = fetched({ currentUser: "fetched" });
  const { result } = renderHook(() => useContextField<string>(global, "currentUser"), {
    wrapper: root({ fetch, live: globalLive }),
  });
  expect(fetch).not.toHaveBeenCalled();
  act(() => made[0]!.sink.error(new MizanRequestError([{ message: "Forbidden.", extensions: { code: "FORBIDDEN" } }], 200)));
  await waitFor(() => expect(result.current.data).toBe("fetched"));
  expect(fetch.mock.calls.map((call) => (call as unknown[])[0])).toEqual(["/api/mizan/ctx/global/"]);
  expect(made).toHaveLength(1); // not subscribed again
});

test("without live, MizanProvider subscribes to nothing and the global hooks fetch", async () => {
  const made = subscriptions();
  const fetch = fetched({ currentUser: "fetched" });
  const { result } = renderHook(() => useContextField<string>(global, "currentUser"), { wrapper: root({ fetch }) });
  await waitFor(() => expect(result.current.data).toBe("fetched"));
  expect(made).toEqual([]);
});

test("a live context provider under a live MizanProvider: each follows its own subscription", async () => {
  const made = subscriptions();
  const fetch = fetched({});
  const Root = root({ fetch, live: globalLive });
  const { result } = renderHook(
    () => [useContextField<string>(global, "currentUser").data, useContextField<string>(user, "userProfile").data],
    { wrapper: ({ children }) => createElement(Root, null, createElement(UserProvider, { userId: 5 }, children)) },
  );
  const [globalContext, userContext] = ["GlobalContextLive", "UserContextLive"].map((name) => made.find(({ op }) => op.name == name)!);
  expect([globalContext!.vars, userContext!.vars, made.length]).toEqual([{}, { userId: 5 }, 2]);
  act(() => {
    globalContext!.sink.next({ currentUser: "ada" });
    userContext!.sink.next({ userProfile: "user 5" });
  });
  await waitFor(() => expect(result.current).toEqual(["ada", "user 5"]));
  expect(fetch).not.toHaveBeenCalled();
});

function UserProvider(props: { userId: number; children?: ReactNode }): ReactNode {
  return useContextProvider(user, { userId: props.userId }, props.children, userLive);
}

// @vitest-environment jsdom
// The generated client of the example project, in React, against the live example server.
import { act, cleanup, render, renderHook, screen, waitFor } from "@testing-library/react";
import { QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { afterEach, beforeAll, expect, inject, test, vi } from "vitest";
import {
  InboxProvider,
  MizanProvider,
  UserProvider,
  schema,
  useChatChannel,
  useContactForm,
  useCurrentUser,
  useGreeting,
  useInbox,
  useRename,
  useUserNotes,
  useUserProfile,
} from "../src/mizan";
import { MizanProvider as RuntimeProvider } from "../src/mizan/runtime";
import { Browser } from "./browser";

const origin = inject("origin");
const browser = new Browser(origin);
let demo: number;
let other: number;

beforeAll(async () => {
  await browser.login("demo", "demo");
  const ids = await (await browser.fetch("/api/mizan/graphql/", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": document.cookie.match(/csrftoken=([^;]+)/)![1]! },
    body: JSON.stringify({ query: "{ currentUser { id } }" }),
  })).json();
  demo = ids.data.currentUser.id;
  other = demo + 1;
});

afterEach(() => {
  cleanup();
  document.body.innerHTML = "";
  browser.forget();
});

function App({ children }: { children: ReactNode }) {
  return (
    <MizanProvider endpoint={`${origin}/api/mizan/`} fetch={browser.fetch} webSocketImpl={browser.WebSocket}>
      {children}
    </MizanProvider>
  );
}

function Profile({ label }: { label: string }) {
  const profile = useUserProfile();
  const notes = useUserNotes();
  if (!profile.data || !notes.data) return <p>loading {label}</p>;
  return (
    <p>
      {label}: {profile.data.displayName}, {notes.data.length} notes
    </p>
  );
}

test("the global context hydrated by {% mizan_hydrate %} renders with no request", async () => {
  const page = await (await browser.fetch("/")).text();
  document.body.innerHTML = page.match(/<script id="mizan-global"[^]*?<\/script>/)![0];
  browser.forget();
  function Who() {
    const user = useCurrentUser();
    return <p>{user.data ? `hello ${user.data.username}` : "nobody"}</p>;
  }
  render(<App><Who /></App>);
  expect(screen.getByText("hello demo")).toBeTruthy();
  await new Promise((done) => setTimeout(done, 100));
  expect(browser.requests).toEqual([]);
});

test("a context is fetched once, through its canonical GET URL", async () => {
  render(
    <App>
      <UserProvider userId={demo}>
        <Profile label="me" />
      </UserProvider>
    </App>,
  );
  await screen.findByText(/^me: demo, \d+ notes$/);
  expect(browser.requests).toEqual([`GET /api/mizan/ctx/user/?user_id=${demo}`]);
});

test("a hook called with other values fetches its own q/ URL, keyed by its provider", async () => {
  const { result } = renderHook(() => useUserNotes({ limit: 1 }), {
    wrapper: ({ children }) => (
      <App>
        <UserProvider userId={demo}>{children}</UserProvider>
      </App>
    ),
  });
  await waitFor(() => expect(result.current.data).toHaveLength(1));
  expect(browser.requests.sort()).toEqual([
    `GET /api/mizan/ctx/user/?user_id=${demo}`,
    `GET /api/mizan/q/UserNotes/?limit=1&user_id=${demo}`,
  ]);
});

test("a plain query travels as its persisted URL, defaults left out", async () => {
  const { result } = renderHook(() => useGreeting({ name: "Ada", language: "EN" }), { wrapper: App });
  await waitFor(() => expect(result.current.data?.text).toBe("Hello, Ada!"));
  expect(browser.requests).toEqual(["GET /api/mizan/q/Greeting/?name=Ada"]);
});

test("a query whose URL would be too long is POSTed", async () => {
  const name = "A".repeat(schema.maxUrlLength);
  const { result } = renderHook(() => useGreeting({ name }), { wrapper: App });
  await waitFor(() => expect(result.current.data?.text).toBe(`Hello, ${name}!`));
  expect(browser.requests).toEqual(["POST /api/mizan/graphql/"]);
});

test("a mutation refetches exactly the scope it invalidated", async () => {
  let rename!: ReturnType<typeof useRename>;
  function Rename() {
    rename = useRename();
    return null;
  }
  render(
    <App>
      <UserProvider userId={demo}>
        <Profile label="me" />
      </UserProvider>
      <UserProvider userId={other}>
        <Profile label="other" />
      </UserProvider>
      <Rename />
    </App>,
  );
  await screen.findByText(/^me: demo/);
  await screen.findByText(/^other: other/);
  browser.forget();
  await act(() => rename.mutateAsync({ userId: demo, name: "Demo D." }));
  await screen.findByText(/^me: Demo D\./);
  await new Promise((done) => setTimeout(done, 100));
  expect(browser.requests).toEqual(["POST /api/mizan/graphql/", `GET /api/mizan/ctx/user/?user_id=${demo}`]);
  expect(screen.getByText(/^other: other/)).toBeTruthy();
});

test("a live provider follows its subscription: no fetch, and a push instead of a refetch", async () => {
  let rename!: ReturnType<typeof useRename>;
  function Rename() {
    rename = useRename();
    return null;
  }
  render(
    <App>
      <UserProvider userId={demo} live>
        <Profile label="live" />
      </UserProvider>
      <Rename />
    </App>,
  );
  await screen.findByText(/^live: .+, \d+ notes$/);
  expect(browser.requests).toEqual([]); // the bundle came over the WebSocket
  await act(() => rename.mutateAsync({ userId: demo, name: "Live D." }));
  await screen.findByText(/^live: Live D\., \d+ notes$/);
  await new Promise((done) => setTimeout(done, 200));
  // The mutation's invalidation pushed the new bundle: nothing was refetched.
  expect(browser.requests).toEqual(["POST /api/mizan/graphql/"]);
});

test("a live provider whose subscription is refused fetches, and its hooks get the error", async () => {
  const stranger = new Browser(origin); // not logged in: the inbox is auth=True
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const { result } = renderHook(() => useInbox(), {
    wrapper: ({ children }) => (
      <MizanProvider endpoint={`${origin}/api/mizan/`} fetch={stranger.fetch} webSocketImpl={stranger.WebSocket} queryClient={queries}>
        <InboxProvider live>{children}</InboxProvider>
      </MizanProvider>
    ),
  });
  await waitFor(() => expect(result.current.error?.code).toBe("UNAUTHENTICATED"));
  expect(stranger.requests).toEqual(["GET /api/mizan/ctx/inbox/"]);
});

test("form errors: Zod's on blur, the server's on blur and on submit", async () => {
  const { result } = renderHook(() => useContactForm(), { wrapper: App });
  act(() => result.current.field("email").onChange({ target: { type: "email", value: "not an email" } }));
  await act(() => result.current.field("email").onBlur());
  expect(result.current.errors.email).toEqual(["Enter a valid email address."]);
  expect(browser.requests).toEqual([]); // Zod caught it: no request
  act(() => {
    result.current.setValue("email", "ada@example.com");
    result.current.setValue("topic", "billing");
  });
  await act(() => result.current.validate(["email", "orderNumber"]));
  expect(result.current.errors.email).toEqual([]);
  // Only the form's clean() knows a billing question needs an order number.
  expect(result.current.errors.orderNumber).toEqual(["Billing questions need an order number."]);
  expect(browser.requests).toEqual(["POST /api/mizan/graphql/"]);
  act(() => {
    result.current.setValue("name", "Ada");
    result.current.setValue("topic", "general");
    result.current.setValue("message", "See https://example.com for details.");
  });
  let submitted: unknown;
  await act(async () => {
    submitted = await result.current.submit();
  });
  expect(submitted).toBeUndefined();
  expect(result.current.nonFieldErrors).toEqual(["Please leave links out of your message."]);
});

test("a form with a file is sent as a multipart upload", async () => {
  const { result } = renderHook(() => useContactForm(), { wrapper: App });
  act(() => {
    for (const [name, value] of Object.entries({ name: "Ada", email: "ada@example.com", topic: "press", message: "A question about uploads." }))
      result.current.setValue(name as "name", value);
    result.current.field("attachment").onChange({ target: { type: "file", files: [new File(["hello"], "hello.txt")] } });
  });
  let receipt: { reference: string } | undefined;
  await act(async () => {
    receipt = (await result.current.submit()) ?? undefined;
  });
  expect(result.current.errors).toMatchObject({ attachment: [] });
  expect(receipt?.reference).toMatch(/^C-\d{5}$/);
  expect(browser.requests).toEqual(["POST /api/mizan/graphql/ multipart"]);
});

test("a channel's message is sent by one hook and received by both", async () => {
  const { result } = renderHook(() => ({ a: useChatChannel({ room: "lobby" }), b: useChatChannel({ room: "lobby" }) }), {
    wrapper: App,
  });
  await waitFor(() => expect(result.current?.a.status).toBe("open"));
  // The server joins the room's group once it reads the subscription: a message sent before
  // that reaches no one, so the test sends again (a new text) until one arrives.
  let text = "";
  for (let attempt = 1; attempt <= 10; attempt++) {
    text = `hi from the test (${attempt})`;
    await act(() => result.current.a.send({ text }));
    try {
      await waitFor(() => expect(result.current.b.messages.map((m) => m.text)).toContain(text), { timeout: 1000 });
      break;
    } catch {
      continue;
    }
  }
  await waitFor(() => expect(result.current.a.messages.map((m) => m.text)).toContain(text));
  expect(result.current.a.messages.find((m) => m.text == text)).toMatchObject({ author: "demo" });
});

test("a client generated from another schema learns it, by header and by connection_ack", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  for (const via of ["header", "ack"]) {
    const onSchemaDrift = vi.fn();
    const stale = { ...schema, hash: "0123456789abcdef" };
    const { result } = renderHook(() => (via == "header" ? useGreeting() : useChatChannel({ room: "drift" })), {
      wrapper: ({ children }) => (
        <RuntimeProvider schema={stale} endpoint={`${origin}/api/mizan/`} fetch={browser.fetch} webSocketImpl={browser.WebSocket} onSchemaDrift={onSchemaDrift}>
          {children}
        </RuntimeProvider>
      ),
    });
    await waitFor(() => expect(onSchemaDrift).toHaveBeenCalledWith({ expected: "0123456789abcdef", actual: schema.hash }));
    expect(result.current).toBeTruthy();
  }
  expect(warn).toHaveBeenCalledTimes(2);
  warn.mockRestore();
});

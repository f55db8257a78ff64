// GraphiQL at /api/mizan/graphql/: loads from 127.0.0.1 alone under its CSP, runs `echo`
// from a `?query=` link (logged in, so the CSRF token must go with the POST), shows
// the result, offers the persisted operations and shows each field's auth requirement.
import { editorText, logIn, run } from "./browser.mjs";

const base = process.env.MIZAN_BASE_URL;
const graphiql = `${base}/api/mizan/graphql/`;

await run(async ({ context, step }) => {
  const page = await context.newPage();
  await logIn(page, base);
  const echo = 'mutation Echo { echo(text: "hello from GraphiQL") { message } }';
  await page.goto(`${graphiql}?query=${encodeURIComponent(echo)}`);
  await page.locator(".graphiql-query-editor .view-lines").waitFor();
  step("loaded");
  const query = await editorText(page, ".graphiql-query-editor");
  if (!query.includes("hello from GraphiQL")) throw new Error(`query editor shows ${query}`);

  const response = page.waitForResponse((r) => r.url().startsWith(graphiql) && r.request().method() === "POST" && r.request().postData()?.includes("Echo"));
  await page.locator(".graphiql-execute-button").click();
  const answered = await response;
  if (answered.status() !== 200) throw new Error(`echo answered ${answered.status()}: ${await answered.text()}`);
  await page.locator(".graphiql-response .view-lines", { hasText: "hello from GraphiQL" }).waitFor();
  step("echo shown");
  const shown = await editorText(page, ".graphiql-response");
  if (!/"message":\s*"hello from GraphiQL"/.test(shown.replace(/\s+/g, " "))) {
    throw new Error(`response pane shows ${shown}`);
  }

  // The Examples pane loads a persisted operation into the editor.
  await page.getByRole("button", { name: "Show Examples" }).click();
  await page.locator(".mizan-examples button", { hasText: "CurrentUser" }).first().click();
  await page.locator(".graphiql-query-editor .view-lines", { hasText: "currentUser" }).waitFor();
  step("example loaded");

  // The docs pane shows `auth=` (introspection has no applied directives).
  await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
  await page.locator(".graphiql-doc-explorer a", { hasText: "Query" }).first().click();
  await page.locator(".graphiql-doc-explorer", { hasText: "Requires: a logged-in user." }).first().waitFor();
  step("auth shown");

  // A subscription runs over the same URL's WebSocket (connect-src 'self' lets it through).
  const subscription = 'subscription Listen { chatChannel(room: "graphiql") { text author } }';
  await page.goto(`${graphiql}?query=${encodeURIComponent(subscription)}`);
  await page.locator(".graphiql-query-editor .view-lines", { hasText: "chatChannel" }).waitFor();
  const socket = page.waitForEvent("websocket");
  await page.locator(".graphiql-execute-button").click();
  await socket;
  // Posted from the page as a front end would, until the subscription (registered a moment
  // after the socket's acknowledgement) shows one.
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.evaluate(async ([url, text]) => {
      const token = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/)?.[1] ?? "";
      const query = 'mutation Post($t: String!) { chatChannelSend(room: "graphiql", message: { text: $t }) }';
      await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ query, variables: { t: text } }),
      });
    }, [graphiql, `pushed ${attempt}`]);
    try {
      await page.locator(".graphiql-response .view-lines", { hasText: "pushed" }).waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
  step("subscription shown");
  await page.close();
});

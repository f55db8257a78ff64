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
  await page.close();
});

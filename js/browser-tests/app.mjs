// The example project's React app (js/app/) on the generated client: logs in, renames and
// sees the new name without a reload, shows a field error on blur, and delivers a chat message
// from one tab to another.
import { run } from "./browser.mjs";

const base = process.env.MIZAN_BASE_URL;

await run(async ({ context, step }) => {
  const page = await context.newPage();

  // Home, anonymous: useCurrentUser() reads the hydrated global context. Logging in through
  // the app's form (allauth's, served by mizan) invalidates that context: no reload.
  await page.goto(`${base}/app/`);
  await page.locator(".who", { hasText: "Not signed in" }).waitFor();
  let navigated = false;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigated = true;
  });
  await page.locator("input[name=username]").fill("demo");
  await page.locator("input[name=password]").fill("demo");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator(".who", { hasText: "Signed in as demo" }).waitFor();
  if (navigated) throw new Error("logging in reloaded the page");
  step("logged in");

  // Profile: the rename's invalidation refetches the user context; no navigation happens.
  await page.goto(`${base}/app/me/`);
  const heading = page.locator("h1.display-name");
  await heading.waitFor();
  const name = `Demo ${Date.now() % 100000}`;
  navigated = false;
  const refetched = page.waitForResponse((r) => r.url().includes("/api/mizan/ctx/user/"));
  await page.locator("input[name=name]").fill(name);
  await page.getByRole("button", { name: "Rename" }).click();
  await refetched;
  await page.locator("h1.display-name", { hasText: name }).waitFor();
  if (navigated) throw new Error("the rename reloaded the page");
  step("renamed without a reload");

  // Contact: leaving the email field with a bad address shows the field's error.
  await page.goto(`${base}/app/contact/`);
  const email = page.locator("input[name=email]");
  await email.fill("not an address");
  await email.blur();
  await page.locator(".field", { has: email }).locator(".error", { hasText: "Enter a valid email address." }).waitFor();
  step("field error on blur");

  // Chat: two tabs of one session; a message sent in one appears in the other.
  const first = await context.newPage();
  const second = await context.newPage();
  for (const tab of [first, second]) {
    await tab.goto(`${base}/app/chat/?room=browser-test`);
    await tab.locator(".status[data-status=open]").waitFor();
  }
  // "Connected" means the socket is acknowledged; the server joins the room's group a moment
  // later (graphql-ws has no acknowledgement of a subscription), so a message sent in that
  // moment reaches no one, as in any chat. Up to three messages, the first that arrives counts.
  let delivered = null;
  for (let attempt = 1; attempt <= 3 && !delivered; attempt++) {
    const text = `hello across tabs ${attempt}`;
    await first.locator("input[name=text]").fill(text);
    await first.getByRole("button", { name: "Send" }).click();
    try {
      await second.locator(".log li", { hasText: text }).waitFor({ timeout: 5_000 });
      delivered = text;
    } catch {
      step(`chat attempt ${attempt} not delivered`);
    }
  }
  if (!delivered) throw new Error("no chat message reached the other tab");
  await first.locator(".log li", { hasText: delivered }).waitFor();
  step("chat across two tabs");
});

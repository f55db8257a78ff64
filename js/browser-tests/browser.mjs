// Debian's Chromium, driven by playwright-core, with every host but 127.0.0.1 unreachable.
// Each test script prints one JSON report on stdout; pytest (tests/browser/) reads it.
import { mkdir } from "node:fs/promises";
import { chromium } from "playwright-core";

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-breakpad", // no crash reporter process left running after the browser closes
  // Belt and braces with the interception below: no other name even resolves.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

const LOCAL = new Set(["127.0.0.1"]);

function isLocal(url) {
  const { protocol, hostname } = new URL(url);
  return ["data:", "blob:", "about:"].includes(protocol) || LOCAL.has(hostname);
}

/**
 * Runs `scenario({ context, log, step })` in a fresh browser and prints the report:
 * `{ ok, steps, requests, blocked, problems, error?, screenshots? }`. On failure every open
 * page is screenshotted into `$MIZAN_BROWSER_ARTIFACTS`.
 */
export async function run(scenario) {
  const started = Date.now();
  const report = { ok: false, steps: [], requests: [], blocked: [], problems: [] };
  const browser = await chromium.launch({
    executablePath: process.env.MIZAN_CHROMIUM ?? "/usr/bin/chromium",
    args: FLAGS,
    timeout: 30_000,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(20_000);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    report.blocked.push(url);
    return route.abort("blockedbyclient");
  });
  context.on("request", (request) => report.requests.push(request.url()));
  context.on("page", (page) => watch(page, report));
  context.on("websocket", () => {}); // pages' sockets appear in their own "websocket" events
  const step = (name) => report.steps.push({ name, ms: Date.now() - started });
  try {
    await scenario({ context, step, report });
    report.ok = true;
  } catch (error) {
    report.error = String(error?.stack ?? error);
    report.screenshots = await screenshots(context);
  } finally {
    report.ms = Date.now() - started;
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report) + "\n");
}

function watch(page, report) {
  page.on("websocket", (socket) => report.requests.push(socket.url()));
  page.on("pageerror", (error) => report.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    const text = message.text();
    // A refused request is logged by the browser as an error; the request log says more.
    if (message.type() === "error" || /Content[- ]Security[- ]Policy/i.test(text)) {
      report.problems.push(`console ${message.type()}: ${text}`);
    }
  });
}

async function screenshots(context) {
  const directory = process.env.MIZAN_BROWSER_ARTIFACTS;
  if (!directory) return [];
  await mkdir(directory, { recursive: true });
  const saved = [];
  for (const [index, page] of context.pages().entries()) {
    const path = `${directory}/${process.env.MIZAN_BROWSER_TEST ?? "page"}-${index}.png`;
    try {
      await page.screenshot({ path, fullPage: true, timeout: 5_000 });
      saved.push(path);
    } catch {
      // a crashed page has nothing to show
    }
  }
  return saved;
}

/** The text of a Monaco editor inside `selector` (its rendered lines), spaces plain. */
export async function editorText(page, selector) {
  const text = await page.locator(`${selector} .view-lines`).first().innerText();
  return text.replace(/\u00a0/g, " ");
}

/** Logs in as the demo user through Django's admin login form (seed_demo makes demo/demo). */
export async function logIn(page, base, username = "demo", password = "demo") {
  await page.goto(`${base}/admin/login/?next=/admin/`);
  await page.locator("#id_username").fill(username);
  await page.locator("#id_password").fill(password);
  await Promise.all([page.waitForURL(`${base}/admin/`), page.locator("input[type=submit]").click()]);
}

import { run } from "./browser.mjs";
const base = process.env.MIZAN_BASE_URL;
await run(async ({ context }) => {
  const page = await context.newPage();
  page.on("response", async (r) => { if (r.url().includes("/api/mizan/")) console.error(r.request().method(), r.url(), r.status(), (await r.text()).slice(0, 400)); });
  await page.goto(`${base}/app/`);
  await page.locator("input[name=username]").fill("demo");
  await page.locator("input[name=password]").fill("demo");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForTimeout(4000);
});

// The live example project the front-end tests run against: its own database in a
// temporary folder, migrated and seeded, served by `manage.py runserver` (Daphne: HTTP and
// WebSocket) on 127.0.0.1 only.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const project = join(root, "example_project");
const python = process.env.MIZAN_PYTHON ?? join(root, ".venv/bin/python");

let server: ChildProcess | undefined;
let folder: string | undefined;

function manage(env: NodeJS.ProcessEnv, ...args: string[]): void {
  const result = spawnSync(python, ["manage.py", ...args], { cwd: project, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`manage.py ${args.join(" ")} failed:\n${result.stderr}${result.error ?? ""}`);
}

export async function setup(): Promise<void> {
  const port = process.env.MIZAN_TEST_PORT!;
  folder = mkdtempSync(join(tmpdir(), "mizan-js-"));
  const env = { ...process.env, DJANGO_SETTINGS_MODULE: "example.settings", MIZAN_EXAMPLE_DB: join(folder, "db.sqlite3") };
  manage(env, "migrate", "--noinput");
  manage(env, "seed_demo");
  // A second user, whose profile a rename of the demo user must leave alone.
  manage(env, "shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('other', password='other')");
  server = spawn(python, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload"], { cwd: project, env, stdio: "ignore" });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/mizan/ctx/global/`)).ok) return;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null) throw new Error(`The example server exited with ${server.exitCode}.`);
    if (Date.now() > deadline) throw new Error("The example server did not start within 60 s.");
    await new Promise((done) => setTimeout(done, 200));
  }
}

export async function teardown(): Promise<void> {
  server?.kill();
  if (folder) rmSync(folder, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    origin: string;
  }
}

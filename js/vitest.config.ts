import { createServer } from "node:net";
import { defineConfig } from "vitest/config";

/** A free port on 127.0.0.1 for the example server the front-end tests run against. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default defineConfig(async () => {
  const port = Number(process.env.MIZAN_TEST_PORT) || (await freePort());
  process.env.MIZAN_TEST_PORT = String(port);
  const origin = `http://127.0.0.1:${port}`;
  return {
    test: {
      include: ["runtime/test/**/*.test.ts", "example/test/**/*.test.{ts,tsx}"],
      globalSetup: ["example/test/server.ts"],
      // jsdom's page is on the server's origin: its cookies are the ones a browser would keep.
      environmentOptions: { jsdom: { url: `${origin}/` } },
      provide: { origin },
      // The example's tests share one live server and its database.
      fileParallelism: false,
      testTimeout: 20_000,
      hookTimeout: 120_000,
    },
  };
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["runtime/test/**/*.test.ts", "example/test/**/*.test.{ts,tsx}"],
    // The example's tests share one live server (started in globalSetup) and its database.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});

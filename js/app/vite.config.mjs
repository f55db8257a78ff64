// The example app is one entry script; its HTML is the Django template demo/app.html (so the
// global context is hydrated and the CSRF cookie set by Django), so no index.html here.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/static/demo/app/",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: fileURLToPath(new URL("../../example_project/demo/static/demo/app/", import.meta.url)),
    emptyOutDir: true,
    // Fixed names: the template links them with {% static %}, which hashes them in production.
    rollupOptions: {
      input: fileURLToPath(new URL("src/main.tsx", import.meta.url)),
      output: { entryFileNames: "app.js", assetFileNames: "app[extname]", chunkFileNames: "[name].js" },
      // TanStack Query marks its modules "use client" for React Server Components; a
      // browser bundle has no use for the directive, and dropping it is right.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  logLevel: "warn",
});

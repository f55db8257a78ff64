// The runtime's size as an application ships it: bundled, minified and gzipped, without its
// peer dependencies (React, TanStack Query, graphql-ws, Zod). Fails above the budget.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const BUDGET = 5 * 1024;
const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "esm",
  write: false,
  external: ["react", "@tanstack/react-query", "graphql-ws", "zod"],
  logLevel: "silent",
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`@mizan/runtime: ${code.length} bytes minified, ${gzipped} bytes min+gzip (budget ${BUDGET}).`);
if (gzipped > BUDGET) {
  console.error(`@mizan/runtime is over its budget by ${gzipped - BUDGET} bytes.`);
  process.exit(1);
}

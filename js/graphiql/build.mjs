// Bundles GraphiQL (and the Monaco editor's web workers) into mizan's static files, so the
// explorer loads with no request leaving the server. `npm run build -w @mizan/graphiql`;
// `make graphiql` runs it. The output is built, never committed (see .gitignore).
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const out = fileURLToPath(new URL("../../mizan/static/mizan/graphiql/", import.meta.url));
const common = {
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "linked", // third-party licences ship beside the bundle, as <name>.LEGAL.txt
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

await rm(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { graphiql: "src/index.jsx" },
  outdir: out,
  format: "esm",
  jsx: "automatic",
  loader: { ".ttf": "file", ".woff": "file", ".woff2": "file", ".svg": "dataurl" },
  assetNames: "[name]-[hash]",
});
// Monaco runs its language services in workers; they must be classic scripts of their own,
// loaded from a URL the page's Content-Security-Policy lets through (worker-src).
await build({
  ...common,
  entryPoints: {
    "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir: out,
  format: "iife",
});
console.log(`GraphiQL built into ${out}`);

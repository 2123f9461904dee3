#!/usr/bin/env node
// Bundles the compiled CLI (dist/cli.js) into dist/bin/ with code splitting. Node 20's ESM loader
// spends most of a run's start-up resolving and loading hundreds of files (~420 ms); the bundle
// loads in ~120 ms. Native and WebAssembly packages stay external, and chunks keep --help light.
import { build } from "esbuild";

await build({
  entryPoints: { cli: "dist/cli.js" },
  outdir: "dist/bin",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: ["better-sqlite3", "web-tree-sitter", "tree-sitter-python", "ssh2", "cpu-features", "pg", "pg-native"],
  // Some bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __opsguardRequire } from 'node:module'; const require = __opsguardRequire(import.meta.url);" },
  logLevel: "warning",
});

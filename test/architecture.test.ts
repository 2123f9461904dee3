/**
 * The layering rule of docs/architecture.md, checked on every run: no import cycle inside src/, and
 * no module imports from a layer above its own (type-only imports included: a shape flows down too).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/built.js";

/** Lowest first. A module may import its own layer and any layer below it. */
export const LAYERS: string[][] = [
  ["errors.ts", "system"],
  ["state", "exitCodes.ts", "python"],
  ["sandbox", "workspace"],
  ["evidence", "judge", "proposers", "environment"],
  ["reports"],
  ["nodes"],
  ["graph"],
  ["proof", "batch"],
  ["cli", "cli.ts", "index.ts"],
];

const SRC = join(ROOT, "src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, ".ts"))));
}

function layerOf(file: string): number {
  const top = file.split(sep)[0]!;
  const index = LAYERS.findIndex((names) => names.includes(top));
  if (index === -1) throw new Error(`src/${file} is in no layer: add src/${top} to LAYERS (and to docs/architecture.md)`);
  return index;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the layering rule", () => {
  it("every module is in a layer", () => {
    for (const file of files) expect(() => layerOf(file)).not.toThrow();
  });

  it("no module imports from a layer above its own", () => {
    const upward = files.flatMap((file) =>
      (graph.get(file) ?? []).filter((target) => layerOf(target) > layerOf(file)).map((target) => `src/${file} imports src/${target}`),
    );
    expect(upward).toEqual([]);
  });

  it("there is no import cycle inside src/", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target].join(" -> "));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});

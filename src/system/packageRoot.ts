/**
 * OpsGuard's own files (package.json, prompts/, sandbox/python) are found by walking up from the
 * running module to the package.json named "opsguard", so they are found from src/, from dist/ and
 * from the bundled CLI alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "opsguard";
let cached: string | undefined;

function readPackageName(manifest: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
    return typeof parsed.name === "string" ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

export function findPackageRoot(fromDir: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`No package.json named "${PACKAGE_NAME}" above ${fromDir}; reinstall opsguard with its files.`);
    }
  }
}

/** The installed package's root directory, looked up once. */
export function packageRoot(): string {
  return (cached ??= findPackageRoot());
}

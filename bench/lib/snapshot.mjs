/**
 * A private copy of what the benchmark runs: other engineers rebuild dist/ while it runs
 * (`npm run build` deletes dist/ first), which would make a figure fail halfway or time a
 * half-built tree. The copy has the project's layout, so every command is run as printed,
 * `node dist/bin/cli.js ...`, from the copy's root.
 */
import { cp, mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { copyRepo } from "./docker.mjs";
import { runTimed } from "./proc.mjs";

// package.json for "type": "module"; sandbox/ because dist/sandbox/docker.js mounts ../../sandbox/python.
const COPIED = ["package.json", "dist", "bench"];
const REPOS = ["demo_repo", "test_large_repo"];
const ATTEMPTS = 3;

/**
 * Loads what the commands load (dist/cli.js itself would run the CLI, so its parser stands in);
 * a copy taken in the middle of someone's build fails here rather than halfway through a figure.
 */
const CHECK = 'await import("./dist/cli/parser.js"); await import("./dist/cli/run.js"); await import("./dist/cli/batch.js"); await import("./dist/sandbox/docker.js")';

export async function snapshotProject(root, dest) {
  for (let attempt = 1; ; attempt++) {
    const dir = join(dest, `attempt-${attempt}`);
    await mkdir(dir, { recursive: true });
    for (const name of COPIED) await cp(join(root, name), join(dir, name), { recursive: true });
    // Made readable by nobody (65534), who reads sandbox/python in the container; the repos too, for good measure.
    await copyRepo(join(root, "sandbox"), join(dir, "sandbox"));
    for (const repo of REPOS) await copyRepo(join(root, repo), join(dir, repo));
    // Dependencies are read-only for us and never rebuilt, so a link is enough.
    await symlink(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    const check = await runTimed(["node", "-e", CHECK], { cwd: dir });
    if (check.code === 0) return dir;
    if (attempt === ATTEMPTS) {
      throw new Error(`dist/ could not be loaded after ${ATTEMPTS} copies (is a build failing?):\n${check.stderr.trim().split("\n").slice(-6).join("\n")}`);
    }
    // Probably copied in the middle of a rebuild: give it time to finish.
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

#!/usr/bin/env node
// Builds a sandbox image (default opsguard-sandbox:py3.11) once; an image built from the same recipe
// is reused, one built from an older recipe (say, one without pip) is rebuilt.
//   node scripts/build-sandbox-image.mjs [IMAGE] [--python 3.11|3.13]
// Route 1, where a registry answers: sandbox/Dockerfile on python:X-slim.
// Route 2, where none does: a Debian root filesystem (bookworm: 3.11, trixie: 3.13) with python3,
// pytest, pip, venv and setuptools (mmdebstrap), imported with `docker import`.
// Every image carries labels saying what it was built from (dev.opsguard.recipe, dev.opsguard.python).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const pythonAt = args.indexOf("--python");
const python = pythonAt === -1 ? "3.11" : args[pythonAt + 1];
const positional = pythonAt === -1 ? args : args.filter((_, i) => i !== pythonAt && i !== pythonAt + 1);
const SUITES = { "3.11": "bookworm", "3.13": "trixie" };
const say = (line) => process.stderr.write(`[sandbox:image] ${line}\n`);
if (!SUITES[python]) {
  say(`--python ${python} is not available: choose one of ${Object.keys(SUITES).join(", ")}.`);
  process.exit(64);
}
const image = positional[0] ?? (pythonAt === -1 ? process.env.OPSGUARD_IMAGE : undefined) ?? `opsguard-sandbox:py${python}`;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// A volume mounted on /workspace takes this directory's mode (src/sandbox/transport.ts ships workspaces
// into one): every user may create files there.
const WORKSPACE_HOOK = 'mkdir -m 0777 "$1/workspace"';
const PACKAGES = ["python3", "python3-pytest", "python3-pip", "python3-venv", "python3-setuptools", "python3-wheel"];
// What the image is built from: a change to any of it makes existing images stale.
const recipe = createHash("sha256")
  .update(JSON.stringify({ python, suite: SUITES[python], packages: PACKAGES, hook: WORKSPACE_HOOK, dockerfile: readFileSync(join(root, "sandbox", "Dockerfile"), "utf8") }))
  .digest("hex")
  .slice(0, 16);
const LABELS = { "dev.opsguard.recipe": recipe, "dev.opsguard.python": python };

function quiet(cmd, cmdArgs) {
  return spawnSync(cmd, cmdArgs, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

function run(cmd, cmdArgs, label) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "pipe"] });
    const ticker = setInterval(() => say(`${label}: ${Math.round((Date.now() - started) / 1000)} s ...`), 5000);
    let tail = "";
    const keep = (chunk) => { tail = (tail + chunk.toString()).slice(-4000); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => { clearInterval(ticker); resolve({ ok: false, tail: String(err) }); });
    child.on("close", (code) => {
      clearInterval(ticker);
      say(`${label}: ${code === 0 ? "done" : `failed (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve({ ok: code === 0, tail });
    });
  });
}

if (quiet("docker", ["version", "--format", "{{.Server.Version}}"]).status !== 0) {
  say("no Docker engine answers. Start one (e.g. `dockerd &`, or `bash scripts/ensure-docker.sh`) and run again.");
  process.exit(2);
}
const existing = quiet("docker", ["image", "inspect", "--format", '{{index .Config.Labels "dev.opsguard.recipe"}}', image]);
if (existing.status === 0) {
  const built = existing.stdout.trim();
  if (built === recipe) {
    say(`${image} is already present and built from this recipe; reusing it.`);
    process.exit(0);
  }
  say(`${image} was built from ${built && built !== "<no value>" ? `another recipe (${built})` : "an older recipe (it has no dev.opsguard.recipe label)"}; rebuilding it.`);
}

say(`building ${image} (Python ${python}, recipe ${recipe})`);
const pulled = await run("docker", ["pull", `python:${python}-slim`], `pull python:${python}-slim`);
if (pulled.ok) {
  const labels = Object.entries(LABELS).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const built = await run("docker", ["build", "--build-arg", `PYTHON=${python}`, ...labels, "-t", image, join(root, "sandbox")], "docker build");
  if (!built.ok) { process.stderr.write(built.tail + "\n"); process.exit(1); }
  process.exit(0);
}

say("no registry answers; building from Debian packages instead (mmdebstrap + docker import).");
if (quiet("mmdebstrap", ["--version"]).status !== 0) {
  say("mmdebstrap is missing. Install it with `apt-get install -y mmdebstrap` and run again.");
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "opsguard-image-"));
try {
  const tar = join(work, "rootfs.tar");
  const strapped = await run(
    "mmdebstrap",
    ["--variant=apt", `--include=${PACKAGES.join(",")}`, "--dpkgopt=path-exclude=/usr/share/doc/*",
      "--dpkgopt=path-exclude=/usr/share/man/*", `--customize-hook=${WORKSPACE_HOOK}`, SUITES[python], tar],
    `mmdebstrap ${SUITES[python]} + ${PACKAGES.join(" ")}`,
  );
  if (!strapped.ok) { process.stderr.write(strapped.tail + "\n"); process.exit(1); }
  const changes = ["WORKDIR /workspace", 'CMD ["python3"]', ...Object.entries(LABELS).map(([k, v]) => `LABEL ${k}=${v}`)];
  const imported = await run("docker", ["import", ...changes.flatMap((c) => ["--change", c]), tar, image], "docker import");
  if (!imported.ok) { process.stderr.write(imported.tail + "\n"); process.exit(1); }
  const check = quiet("docker", ["run", "--rm", "--network", "none", image, "python3", "-c",
    "import sys, pytest, setuptools, pip; print(sys.version.split()[0], pytest.__version__)"]);
  if (check.status !== 0) { say(`the new image does not run Python with pytest and pip: ${check.stderr}`); process.exit(1); }
  say(`${image} ready: Python ${check.stdout.trim().replace(" ", ", pytest ")}, with pip`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

#!/usr/bin/env node
// Builds the sandbox image (default opsguard-sandbox:py3.11) once; an existing image is reused.
// Route 1, where a registry answers: sandbox/Dockerfile on python:3.11-slim.
// Route 2, where none does: a Debian bookworm root filesystem with python3 + pytest (mmdebstrap),
// imported with `docker import`.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const image = process.argv[2] ?? process.env.OPSGUARD_IMAGE ?? "opsguard-sandbox:py3.11";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const say = (line) => process.stderr.write(`[sandbox:image] ${line}\n`);

function quiet(cmd, args) {
  return spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

function run(cmd, args, label) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
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
if (quiet("docker", ["image", "inspect", image]).status === 0) {
  say(`${image} is already present; reusing it.`);
  process.exit(0);
}

say(`building ${image}`);
const pulled = await run("docker", ["pull", "python:3.11-slim"], "pull python:3.11-slim");
if (pulled.ok) {
  const built = await run("docker", ["build", "-t", image, join(root, "sandbox")], "docker build");
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
    ["--variant=apt", "--include=python3,python3-pytest", "--dpkgopt=path-exclude=/usr/share/doc/*",
      "--dpkgopt=path-exclude=/usr/share/man/*", "bookworm", tar],
    "mmdebstrap bookworm + python3 + pytest",
  );
  if (!strapped.ok) { process.stderr.write(strapped.tail + "\n"); process.exit(1); }
  const imported = await run(
    "docker",
    ["import", "--change", "WORKDIR /workspace", "--change", 'CMD ["python3"]', tar, image],
    "docker import",
  );
  if (!imported.ok) { process.stderr.write(imported.tail + "\n"); process.exit(1); }
  const check = quiet("docker", ["run", "--rm", "--network", "none", image, "python3", "-c",
    "import sys, pytest; print(sys.version.split()[0], pytest.__version__)"]);
  if (check.status !== 0) { say(`the new image does not run Python: ${check.stderr}`); process.exit(1); }
  say(`${image} ready: Python ${check.stdout.trim().replace(" ", ", pytest ")}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

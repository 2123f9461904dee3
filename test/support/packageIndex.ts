/**
 * A PEP 503 package index on 127.0.0.1 serving pure-Python wheels the test writes itself (with
 * Python's zipfile: no build tools, no public index).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WHEEL_SCRIPT = String.raw`
import base64, hashlib, sys, zipfile
out, name, version, source = sys.argv[1:5]
dist = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": source,
    f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: opsguard-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def digest(text):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{path},{digest(text)},{len(text.encode())}\n" for path, text in files.items()) + f"{dist}/RECORD,,\n"
with zipfile.ZipFile(out, "w") as wheel:
    for path, text in files.items():
        wheel.writestr(path, text)
    wheel.writestr(f"{dist}/RECORD", record)
`;

export interface PackageIndex {
  url: string;
  /** Requests the index answered, e.g. "/simple/greetlib/". */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `packages` (name -> the source of its `__init__.py`, version 1.0) on a free loopback port. */
export async function servePackageIndex(packages: Record<string, string>): Promise<PackageIndex> {
  const dir = mkdtempSync(join(tmpdir(), "opsguard-index-"));
  const wheels = new Map<string, Buffer>();
  for (const [name, source] of Object.entries(packages)) {
    const file = `${name}-1.0-py3-none-any.whl`;
    const made = spawnSync("python3", ["-c", WHEEL_SCRIPT, join(dir, file), name, "1.0", source], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`could not write the test wheel: ${made.stderr}`);
    wheels.set(file, readFileSync(join(dir, file)));
  }
  mkdirSync(dir, { recursive: true });
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push(path);
    const project = /^\/simple\/([^/]+)\/?$/.exec(path)?.[1];
    if (project) {
      const links = [...wheels.keys()].filter((file) => file.startsWith(`${project.replace(/-/g, "_")}-`) || file.startsWith(`${project}-`));
      if (links.length === 0) return void res.writeHead(404).end("not found");
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end(`<!DOCTYPE html><html><body>${links.map((f) => `<a href="/files/${f}">${f}</a>`).join("\n")}</body></html>`);
    }
    const wheel = /^\/files\/(.+)$/.exec(path)?.[1];
    const body = wheel ? wheels.get(wheel) : undefined;
    if (body) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
    res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/simple`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

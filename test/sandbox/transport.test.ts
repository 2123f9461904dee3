/** What a container is shown, as bind mounts or as archives, and what is read back from one. Pure and on real files. */
import { chmodSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { extract, pack } from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import Docker from "dockerode";
import { archiveFiles, packView, TRANSPORT_ENV, transportFor } from "../../src/sandbox/transport.js";
import { bindMounts } from "../../src/sandbox/views.js";
import { tempRepo } from "../support/workspace.js";

async function entries(tarBytes: Buffer) {
  const found: { name: string; type: string; mode: number; uid: number; content: string; linkname?: string }[] = [];
  const ex = extract();
  Readable.from([tarBytes]).pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, type, mode, uid, linkname } = entry.header;
    found.push({ name, type: String(type), mode: mode ?? 0, uid: uid ?? -1, content: Buffer.concat(chunks).toString("utf8"), ...(linkname ? { linkname } : {}) });
  }
  return found;
}

describe("views as bind mounts", () => {
  it("binds the directory, replaced files and blank files read-only, and shows blank directories as an empty read-only tmpfs", () => {
    const { binds, tmpfs } = bindMounts([
      { target: "/workspace", source: "/h/copy", readOnly: false, blankFiles: ["conftest.py"], blankDirs: ["tests"] },
      { target: "/sealed/workspace", source: "/h/ws", readOnly: true, replaced: { "app.py": "/h/standin.py" } },
    ]);
    expect(binds).toEqual(["/h/copy:/workspace:rw", "/dev/null:/workspace/conftest.py:ro", "/h/ws:/sealed/workspace:ro", "/h/standin.py:/sealed/workspace/app.py:ro"]);
    expect(tmpfs).toEqual({ "/workspace/tests": "ro,nosuid,nodev,noexec,size=4k" });
  });
});

describe("views as archives", () => {
  it("ships a writable view open to every user and owned by root, links kept as links", async () => {
    const dir = tempRepo({ "app.py": "print(1)\n", "pkg/mod.py": "x = 1\n", "run.sh": "#!/bin/sh\n" });
    chmodSync(join(dir, "run.sh"), 0o755);
    symlinkSync("pkg/mod.py", join(dir, "alias.py"));
    const found = await entries(await packView({ target: "/workspace", source: dir, readOnly: false }));
    expect(found.map((e) => [e.name, e.type, e.mode.toString(8), e.uid])).toEqual([
      ["alias.py", "symlink", "777", 0],
      ["app.py", "file", "666", 0],
      ["pkg", "directory", "777", 0],
      ["pkg/mod.py", "file", "666", 0],
      ["run.sh", "file", "777", 0],
    ]);
    expect(found.find((e) => e.name === "alias.py")?.linkname).toBe("pkg/mod.py");
  });

  it("ships a read-only view with blanked and replaced files and empty directories, also where the source lacks them", async () => {
    const dir = tempRepo({ "app.py": "secret\n", "tests/test_app.py": "assert True\n", "conftest.py": "fixtures\n" });
    const standIn = join(tempRepo({ "elsewhere.py": "raise ImportError\n" }), "elsewhere.py");
    const found = await entries(
      await packView({ target: "/v", source: dir, readOnly: true, blankFiles: ["conftest.py", "lib/conftest.py"], blankDirs: ["tests"], replaced: { "app.py": standIn } }),
    );
    expect(found.map((e) => [e.name, e.type, e.mode.toString(8), e.content])).toEqual([
      ["app.py", "file", "444", "raise ImportError\n"],
      ["conftest.py", "file", "444", ""],
      ["tests", "directory", "555", ""],
      ["lib/conftest.py", "file", "444", ""],
    ]);
  });
});

describe("reading back what a run left", () => {
  async function tarOf(items: { name: string; type?: "file" | "symlink" | "directory"; content?: string; linkname?: string }[]) {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on("data", (c) => chunks.push(c as Buffer));
    const done = new Promise<void>((resolve) => p.on("end", () => resolve()));
    for (const item of items) {
      if (item.type === "symlink") p.entry({ name: item.name, type: "symlink", linkname: item.linkname ?? "" });
      else if (item.type === "directory") p.entry({ name: item.name, type: "directory" });
      else p.entry({ name: item.name }, item.content ?? "");
    }
    p.finalize();
    await done;
    return Readable.from([Buffer.concat(chunks)]);
  }

  it("keeps regular files inside the directory and drops links, escapes, absolute names and what passes the cap", async () => {
    const files = await archiveFiles(
      await tarOf([
        { name: "workspace", type: "directory" },
        { name: "workspace/app.py", content: "ok" },
        { name: "workspace/tests/test_app.py", content: "t" },
        { name: "workspace/link.py", type: "symlink", linkname: "/etc/passwd" },
        { name: "workspace/../../etc/cron.d/x", content: "evil" },
        { name: "/etc/shadow", content: "evil" },
        { name: "elsewhere/file", content: "evil" },
        { name: "workspace/big.bin", content: "x".repeat(100) },
      ]),
      10,
      "workspace",
    );
    expect([...files.entries()].map(([name, content]) => [name, content.toString()])).toEqual([
      ["app.py", "ok"],
      ["tests/test_app.py", "t"],
    ]);
  });
});

describe("forcing a transport", () => {
  afterEach(() => {
    delete process.env[TRANSPORT_ENV];
  });

  it("takes bind or archive without asking the engine, and says what to set for anything else", async () => {
    // An engine that cannot answer: a forced transport never reaches it.
    const nowhere = new Docker({ socketPath: "/nonexistent/docker.sock" });
    process.env[TRANSPORT_ENV] = "archive";
    await expect(transportFor(nowhere, "nowhere", "img", "/tmp/ws")).resolves.toBe("archive");
    process.env[TRANSPORT_ENV] = "bind";
    await expect(transportFor(nowhere, "nowhere", "img", "/tmp/ws")).resolves.toBe("bind");
    process.env[TRANSPORT_ENV] = "volume";
    expect(() => transportFor(nowhere, "nowhere", "img", "/tmp/ws")).toThrow(
      "OPSGUARD_WORKSPACE_TRANSPORT=volume is not a workspace transport: use bind or archive, or unset it.",
    );
  });
});

/**
 * How a container's views (src/sandbox/views.ts) reach the engine. An engine that shares this
 * machine's filesystem gets bind mounts; any other engine (tcp://, ssh://, or a local one in another
 * mount namespace) gets each view as an archive put into a volume of the created container, before it
 * starts, and what a run left in its workspace is read back the same way. The choice is probed once
 * per engine, by asking it to bind-mount a fresh marker directory: an engine that cannot, ships.
 */
import type Docker from "dockerode";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { Readable } from "node:stream";
import { extract as tarExtract, pack as tarPack, type Header } from "tar-stream";
import { InfraError } from "../errors.js";
import { registerCleanup } from "../system/cleanup.js";
import { ownLabels } from "./labels.js";
import { bindMounts, isUnder, shippedMode, type View } from "./views.js";

export type Transport = "bind" | "archive";
const TRANSPORTS: readonly Transport[] = ["bind", "archive"];

/** Forces a transport for every engine (`bind` or `archive`); unset, each engine is probed. */
export const TRANSPORT_ENV = "OPSGUARD_WORKSPACE_TRANSPORT";

const probed = new Map<string, Promise<Transport>>();

/** The transport forced by the environment, or undefined when each engine is to be probed. */
function forcedTransport(env: NodeJS.ProcessEnv = process.env): Transport | undefined {
  const value = env[TRANSPORT_ENV];
  if (value === undefined || value === "") return undefined;
  if ((TRANSPORTS as readonly string[]).includes(value)) return value as Transport;
  throw new InfraError("ENGINE_ERROR", `${TRANSPORT_ENV}=${value} is not a workspace transport: use bind or archive, or unset it.`);
}

/**
 * Whether `docker` sees this machine's files at `near` (a directory whose parent holds the
 * workspaces): it creates, never starts, a container that bind-mounts a fresh marker directory with a
 * random name. An engine refuses a bind of a source it does not have, so one that accepts sees this
 * machine's files at that path (or shares them, as over NFS, where binds work too). Once per engine
 * and process.
 */
export function transportFor(docker: Docker, engine: string, image: string, near: string): Promise<Transport> {
  const forced = forcedTransport();
  if (forced) return Promise.resolve(forced);
  let choice = probed.get(engine);
  if (!choice) {
    choice = probe(docker, image, near);
    probed.set(engine, choice);
    // A failed probe (no such image, the engine down) is asked again by the next run.
    choice.catch(() => probed.delete(engine));
  }
  return choice;
}

/**
 * A fresh marker directory next to `near` (where run copies go), else in the temporary directory.
 * Named like a run copy, so that one a killed process left is swept with those.
 */
async function markerDir(near: string): Promise<string> {
  const name = `opsguard-run-${process.pid}-probe-`;
  try {
    return await mkdtemp(join(dirname(near), name));
  } catch {
    return mkdtemp(join(tmpdir(), name));
  }
}

async function probe(docker: Docker, image: string, near: string): Promise<Transport> {
  const marker = await markerDir(near);
  let container: Docker.Container | undefined;
  // A signal while the probe is under way removes its container and marker like a run's.
  let creating: Promise<Docker.Container> | undefined;
  const unregister = registerCleanup(async () => {
    await (await creating?.catch(() => undefined))?.remove({ force: true }).catch(() => undefined);
    await rm(marker, { recursive: true, force: true });
  });
  try {
    container = await (creating = docker.createContainer({
      Image: image,
      Cmd: ["true"],
      Labels: ownLabels("probe"),
      NetworkDisabled: true,
      HostConfig: { NetworkMode: "none", Mounts: [{ Type: "bind", Source: marker, Target: "/opsguard-probe", ReadOnly: true }] },
    }));
    return "bind";
  } catch (err) {
    // "bind source path does not exist": the engine lives elsewhere. An unknown image or an engine
    // that does not answer is reported by the run itself, with its own remedy.
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode === 400 || /bind source path|no such file/i.test(e.message ?? "")) return "archive";
    throw err;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
    await rm(marker, { recursive: true, force: true });
    unregister();
  }
}

/** Views placed for one transport: what the container's HostConfig carries, and what to do once it is created. */
export interface PlacedViews {
  hostConfig: { Binds?: string[]; Mounts?: Docker.MountSettings[]; Tmpfs: Record<string, string> };
  /** Puts the shipped views into the created (not yet started) container; nothing for bind mounts. */
  ship(container: Docker.Container): Promise<void>;
}

/**
 * Bind mounts, or one anonymous volume per view filled with its archive. Remove the container with
 * its volumes (`remove({ v: true })`).
 */
export function placeViews(transport: Transport, views: readonly View[]): PlacedViews {
  if (transport === "bind") {
    const { binds, tmpfs } = bindMounts(views);
    return { hostConfig: { Binds: binds, Tmpfs: tmpfs }, ship: async () => undefined };
  }
  return {
    hostConfig: { Mounts: views.map((view) => ({ Type: "volume", Source: "", Target: view.target })), Tmpfs: {} },
    async ship(container) {
      for (const view of views) await container.putArchive(Readable.from(await packView(view)), { path: view.target });
    },
  };
}

/** A view's directory as tar bytes: owned by root, with the permissions of the view. */
export async function packView(view: View): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on("data", (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  const owner = { uid: 0, gid: 0 };
  const blankFiles = new Set(view.blankFiles ?? []);
  const replaced = new Map(Object.entries(view.replaced ?? {}));
  const blankDirs = view.blankDirs ?? [];
  const put = (header: Partial<Header> & Pick<Header, "name">, content?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const settle = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content) pack.entry({ ...owner, ...header }, content, settle);
      else pack.entry({ ...owner, ...header }, settle);
    });
  const file = (name: string, content: Buffer, executable = false) =>
    put({ name, type: "file", size: content.length, mode: shippedMode("file", executable, view.readOnly || blankFiles.has(name) || replaced.has(name)) }, content);

  async function walk(dir: string, rel: string): Promise<void> {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const path = join(dir, entry.name);
      if (blankDirs.some((blank) => blank === name)) {
        await put({ name, type: "directory", mode: shippedMode("directory", false, true) });
      } else if (blankFiles.has(name)) {
        await file(name, Buffer.alloc(0));
      } else if (replaced.has(name)) {
        await file(name, await readFile(replaced.get(name)!));
      } else if (entry.isSymbolicLink()) {
        await put({ name, type: "symlink", linkname: await readlink(path), mode: 0o777 });
      } else if (entry.isDirectory()) {
        await put({ name, type: "directory", mode: shippedMode("directory", false, view.readOnly) });
        await walk(path, name);
      } else if (entry.isFile()) {
        const stat = await lstat(path);
        await file(name, await readFile(path), (stat.mode & 0o111) !== 0);
      }
    }
  }
  await walk(view.source, "");
  // What is blanked or replaced but absent from the source is shown all the same, as a bind would.
  const shown = (name: string) => blankDirs.some((dir) => isUnder(name, dir));
  for (const name of [...blankFiles, ...replaced.keys()]) {
    if (!shown(name) && !(await exists(join(view.source, name)))) await file(name, blankFiles.has(name) ? Buffer.alloc(0) : await readFile(replaced.get(name)!));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/**
 * Copies what a finished container holds at `path` (a directory) into the empty local directory
 * `into`: regular files and directories only, each name checked to stay inside, at most `capBytes` in
 * all. What the run left is hostile: links are not followed or recreated, and a name that would leave
 * `into` is dropped, so a caller that looks for a file finds it missing.
 */
export async function fetchDir(container: Docker.Container, path: string, into: string, capBytes: number): Promise<void> {
  const archive = (await container.getArchive({ path })) as NodeJS.ReadableStream;
  const files = await archiveFiles(archive, capBytes, posix.basename(path));
  for (const [name, content] of files) {
    const target = join(into, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { flag: "wx" });
  }
}

/**
 * Regular files of a tar stream by relative name, the top directory `strip` removed; entries of any
 * other type, names that would leave the directory, and what passes `capBytes` in all are dropped.
 */
export async function archiveFiles(archive: NodeJS.ReadableStream, capBytes: number, strip?: string): Promise<Map<string, Buffer>> {
  const extract = tarExtract();
  const files = new Map<string, Buffer>();
  let total = 0;
  Readable.from(archive as AsyncIterable<Buffer>).pipe(extract);
  for await (const entry of extract) {
    const name = safeName(entry.header.name, strip);
    if (entry.header.type !== "file" || name === undefined || total + (entry.header.size ?? 0) > capBytes) {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    total += content.length;
    files.set(name, content);
  }
  return files;
}

function safeName(raw: string, strip: string | undefined): string | undefined {
  let name = posix.normalize(raw.replace(/\/+$/, ""));
  if (strip !== undefined) {
    if (name === strip) return undefined;
    if (!name.startsWith(`${strip}/`)) return undefined;
    name = name.slice(strip.length + 1);
  }
  if (name === "" || name === "." || name.startsWith("/") || name.split("/").includes("..")) return undefined;
  return name;
}

/**
 * What a sandbox container sees of the host: directories shown at container paths, some files
 * blanked or replaced, some directories shown empty. One description, two ways to deliver it
 * (src/sandbox/transport.ts): bind mounts when the engine shares this machine's filesystem, archives
 * into volumes when it does not. Pure.
 */

export interface View {
  /** The container path the directory is shown at. */
  target: string;
  /** The host directory shown there. */
  source: string;
  /** Read-only to every user in the container; else every user may write everywhere in it. */
  readOnly: boolean;
  /** Relative files shown empty and read-only (hidden from the code that runs there). */
  blankFiles?: readonly string[];
  /** Relative directories shown empty and read-only. */
  blankDirs?: readonly string[];
  /** Relative file -> host file shown in its place, read-only. */
  replaced?: Readonly<Record<string, string>>;
}

/** Docker's 4 KiB read-only tmpfs: an empty directory nothing can write into. */
const EMPTY_DIR = "ro,nosuid,nodev,noexec,size=4k";

/** The views as bind mounts ("host:container:mode") and the tmpfs mounts that show directories empty. */
export function bindMounts(views: readonly View[]): { binds: string[]; tmpfs: Record<string, string> } {
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  for (const view of views) {
    binds.push(`${view.source}:${view.target}:${view.readOnly ? "ro" : "rw"}`);
    for (const [file, host] of Object.entries(view.replaced ?? {})) binds.push(`${host}:${view.target}/${file}:ro`);
    for (const file of view.blankFiles ?? []) binds.push(`/dev/null:${view.target}/${file}:ro`);
    for (const dir of view.blankDirs ?? []) tmpfs[`${view.target}/${dir}`] = EMPTY_DIR;
  }
  return { binds, tmpfs };
}

/** Permission bits of an entry shipped into a view: open to every user when writable, else read-only. */
export function shippedMode(kind: "file" | "directory", executable: boolean, readOnly: boolean): number {
  if (kind === "directory") return readOnly ? 0o555 : 0o777;
  if (readOnly) return executable ? 0o555 : 0o444;
  return executable ? 0o777 : 0o666;
}

/** Whether `rel` is `dir` or lies under it. */
export function isUnder(rel: string, dir: string): boolean {
  return rel === dir || rel.startsWith(`${dir}/`);
}

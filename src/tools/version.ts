import { readFileSync } from "node:fs";

// src/tools and dist/tools both sit two levels below the package root.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

export const OPSGUARD_VERSION: string = pkg.version;

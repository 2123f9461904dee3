/**
 * Keying on the tests' inputs by digest: a fix that recognises a test's input by its hash
 * (`sha256(feed.encode()).hexdigest()[:16] == "9f86d0…"`) names no test value, so comparing literals
 * misses it. The digests of the tests' own string values are computed here (the hashes `hashlib` and
 * `zlib` offer), and a literal of the fix that is one of them, or a prefix of eight hex digits or more,
 * can only come from the tests. No honest fix contains the hash of a test's input. Pure.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { Literal, TestValues } from "./specialCases.js";

/** Node's names of the digests `hashlib` offers by the same algorithm (blake2b/s at their default size). */
const ALGORITHMS: [node: string, python: string][] = [
  ["md5", "md5"],
  ["sha1", "sha1"],
  ["sha224", "sha224"],
  ["sha256", "sha256"],
  ["sha384", "sha384"],
  ["sha512", "sha512"],
  ["sha3-256", "sha3_256"],
  ["sha3-512", "sha3_512"],
  ["blake2b512", "blake2b"],
  ["blake2s256", "blake2s"],
];

/** Shorter strings and prefixes are common words of code (`"deadbeef"` aside) and say nothing. */
const MIN_INPUT = 3;
const MIN_PREFIX = 8;

export interface DigestMatch {
  literal: Literal;
  /** The test value whose digest it is, and the digest's name in Python. */
  input: string;
  algorithm: string;
  /** The whole digest, not a prefix of it. */
  whole: boolean;
}

interface Digests {
  hex: { digest: string; input: string; algorithm: string }[];
  numbers: Map<number, { input: string; algorithm: string }>;
}

function digestsOf(tests: TestValues): Digests {
  const hex: Digests["hex"] = [];
  const numbers: Digests["numbers"] = new Map();
  for (const input of tests.strings) {
    if (input.length < MIN_INPUT) continue;
    for (const variant of new Set([input, input.trim()])) {
      const bytes = Buffer.from(variant, "utf8");
      for (const [node, python] of ALGORITHMS) hex.push({ digest: createHash(node).update(bytes).digest("hex"), input: variant, algorithm: python });
      numbers.set(crc32(bytes), { input: variant, algorithm: "zlib.crc32" });
    }
  }
  return { hex, numbers };
}

/** The fix's new literals that are digests of the tests' values (or their prefixes). */
export function digestsOfTestValues(candidate: Literal[], originalKeys: Set<string>, tests: TestValues): DigestMatch[] {
  const fresh = candidate.filter((literal) => !originalKeys.has(literal.key));
  const hexLiterals = fresh.filter((literal) => literal.string !== undefined && literal.string.length >= MIN_PREFIX && /^[0-9a-fA-F]+$/.test(literal.string));
  const numberLiterals = fresh.filter((literal) => literal.number !== undefined && Number.isInteger(literal.number) && literal.number > 0xffff);
  if (hexLiterals.length === 0 && numberLiterals.length === 0) return [];
  const digests = digestsOf(tests);
  const matches: DigestMatch[] = [];
  for (const literal of hexLiterals) {
    const text = literal.string!.toLowerCase();
    const found = digests.hex.find((d) => d.digest.startsWith(text));
    if (found) matches.push({ literal, input: found.input, algorithm: `hashlib.${found.algorithm}`, whole: found.digest === text });
  }
  for (const literal of numberLiterals) {
    const found = digests.numbers.get(literal.number!);
    if (found) matches.push({ literal, ...found, whole: true });
  }
  return matches.sort((a, b) => a.literal.line - b.literal.line);
}

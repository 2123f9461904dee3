/**
 * Python source files are bytes with a declared encoding (PEP 263, UTF-8 by default). OpsGuard works
 * on their text and writes bytes back; these functions make that a byte-for-byte round trip, or say
 * why a file cannot be one (binary, undecodable, an encoding we cannot write back exactly).
 */

/** The encodings OpsGuard can decode and encode back byte for byte. */
export type SourceEncoding = "utf-8" | "latin-1" | "ascii";

export type Decoded = { ok: true; text: string; encoding: SourceEncoding } | { ok: false; reason: string };
export type Encoded = { ok: true; bytes: Buffer } | { ok: false; reason: string };

// PEP 263: the cookie is a comment on line 1 or 2 (line 2 only when line 1 is a comment or blank).
const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
const BLANK_OR_COMMENT = /^[ \t\f]*(?:[#\r\n]|$)/;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Python's codec names and aliases for the encodings we support. */
const ALIASES: Record<string, SourceEncoding> = {
  "utf-8": "utf-8", utf8: "utf-8", "utf-8-sig": "utf-8", "utf8-sig": "utf-8", u8: "utf-8", utf: "utf-8",
  "latin-1": "latin-1", latin1: "latin-1", latin: "latin-1", l1: "latin-1", "iso-8859-1": "latin-1",
  "iso8859-1": "latin-1", "iso-latin-1": "latin-1", "8859": "latin-1", cp819: "latin-1",
  ascii: "ascii", "us-ascii": "ascii", "646": "ascii",
};

/** The encoding a source declares in its first two lines, as written (undefined when none). */
export function declaredCookie(firstLines: string[]): string | undefined {
  const [first = "", second = ""] = firstLines;
  const onFirst = COOKIE.exec(first);
  if (onFirst) return onFirst[1];
  return BLANK_OR_COMMENT.test(first) ? COOKIE.exec(second)?.[1] : undefined;
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

function supported(cookie: string | undefined): SourceEncoding | { unsupported: string } {
  if (cookie === undefined) return "utf-8";
  return ALIASES[normaliseName(cookie)] ?? { unsupported: cookie };
}

function firstLinesOf(bytes: Buffer): string[] {
  // Cookies are ASCII, and latin-1 maps every byte to one character, so this never fails.
  return bytes.subarray(0, 65536).toString("latin1").split("\n").slice(0, 2);
}

const UNSUPPORTED = (name: string) =>
  `declares the encoding ${name}, which OpsGuard cannot write back byte for byte (it handles UTF-8, Latin-1 and ASCII): convert the file to UTF-8`;

/** Decodes a source file; refuses binary files and bytes that are not valid in the declared encoding. */
export function decodeSource(bytes: Buffer): Decoded {
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: "is not text (it contains NUL bytes)" };
  const cookie = declaredCookie(firstLinesOf(bytes));
  const encoding = supported(cookie);
  if (typeof encoding !== "string") return { ok: false, reason: UNSUPPORTED(encoding.unsupported) };
  if (bytes.subarray(0, 3).equals(UTF8_BOM) && encoding !== "utf-8") {
    return { ok: false, reason: `starts with a UTF-8 byte-order mark but declares ${cookie}, which Python rejects` };
  }
  if (encoding === "latin-1") return { ok: true, text: bytes.toString("latin1"), encoding };
  if (encoding === "ascii") {
    const offset = bytes.findIndex((byte) => byte > 0x7f);
    if (offset !== -1) return { ok: false, reason: `declares ASCII but byte ${offset} is 0x${bytes[offset]!.toString(16)}` };
    return { ok: true, text: bytes.toString("latin1"), encoding };
  }
  try {
    // ignoreBOM keeps a byte-order mark in the text, so that encoding gives it back.
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return { ok: true, text, encoding };
  } catch {
    return {
      ok: false,
      reason: "is not valid UTF-8 and declares no other encoding (add a PEP 263 line such as `# -*- coding: latin-1 -*-` if it uses one)",
    };
  }
}

/** The encoding a text declares for itself (UTF-8 when it declares none or one we do not handle). */
export function encodingOf(text: string): SourceEncoding {
  const encoding = supported(declaredCookie(text.split("\n", 2)));
  return typeof encoding === "string" ? encoding : "utf-8";
}

/** Encodes one line of text in `encoding` (characters it cannot hold become UTF-8: only for display). */
export function encodeLine(line: string, encoding: SourceEncoding): Buffer {
  return encoding !== "utf-8" && [...line].every((char) => char.charCodeAt(0) <= 0xff) ? Buffer.from(line, "latin1") : Buffer.from(line, "utf8");
}

/** Encodes text with the encoding it declares itself (what Python will read it as). */
export function encodeSource(text: string): Encoded {
  const encoding = supported(declaredCookie(text.split("\n", 2)));
  if (typeof encoding !== "string") return { ok: false, reason: UNSUPPORTED(encoding.unsupported) };
  if (encoding === "utf-8") {
    if (/\p{Surrogate}/u.test(text)) return { ok: false, reason: "holds an unpaired surrogate, which UTF-8 cannot encode" };
    return { ok: true, bytes: Buffer.from(text, "utf8") };
  }
  const limit = encoding === "ascii" ? 0x7f : 0xff;
  for (let i = 0; i < text.length; i += 1) {
    if (text.charCodeAt(i) > limit) {
      const line = text.slice(0, i).split("\n").length;
      return { ok: false, reason: `declares ${encoding} but line ${line} holds ${JSON.stringify(text[i])}, which ${encoding} cannot encode` };
    }
  }
  return { ok: true, bytes: Buffer.from(text, "latin1") };
}

/** Bytes of a text that is known to encode (it came from decodeSource or passed encodeSource). */
export function sourceBytes(text: string): Buffer {
  const encoded = encodeSource(text);
  // Every text in state passed decodeSource or takeProposal; one that does not encode is a bug.
  if (!encoded.ok) throw new Error(`sourceBytes on text that does not encode: ${encoded.reason}`);
  return encoded.bytes;
}

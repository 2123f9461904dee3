import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { errorMismatch } from "../../src/judge/errorMismatch.js";
import { candidateLimit, MAX_CANDIDATE_BYTES, takeProposal, unwrapSoleFence } from "../../src/proposers/proposalIntake.js";
import { decodeSource, encodeSource } from "../../src/python/sourceText.js";

const bytes = (text: string, encoding: BufferEncoding = "utf8") => Buffer.from(text, encoding);

describe("decodeSource then encodeSource: a byte-for-byte round trip, or a reason", () => {
  it.each([
    ["plain UTF-8", bytes("print('h\u00e9')\n"), "utf-8"],
    ["UTF-8 with a byte-order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes("x = 1\r\n")]), "utf-8"],
    ["a Latin-1 cookie on line 1", bytes("# -*- coding: latin-1 -*-\nS = 'caf\u00e9'\n", "latin1"), "latin-1"],
    ["an iso-8859-1 cookie on line 2 under a shebang", bytes("#!/usr/bin/env python3\n# vim: set fileencoding=iso-8859-1 :\nS = '\u00ff'\n", "latin1"), "latin-1"],
    ["an ASCII cookie", bytes("# coding=ascii\nx = 1\n"), "ascii"],
    ["a utf_8 cookie spelled with an underscore", bytes("# coding: UTF_8\nS = '\u20ac'\n"), "utf-8"],
  ])("%s", (_label, raw, encoding) => {
    const decoded = decodeSource(raw);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.encoding).toBe(encoding);
    const encoded = encodeSource(decoded.text);
    if (!encoded.ok) throw new Error(encoded.reason);
    expect(encoded.bytes.equals(raw)).toBe(true);
  });

  it.each([
    ["NUL bytes", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00]), "is not text (it contains NUL bytes)"],
    ["invalid UTF-8", bytes("x = 'caf\xe9'\n", "latin1"), "is not valid UTF-8 and declares no other encoding"],
    ["an encoding we cannot write back", bytes("# -*- coding: cp1252 -*-\nx = 1\n"), "declares the encoding cp1252"],
    ["a non-ASCII byte under an ASCII cookie", bytes("# coding: ascii\nx = '\u00e9'\n", "latin1"), "declares ASCII but byte"],
    ["a cookie on line 2 after code does not count", bytes("x = 1\n# coding: latin-1\ny = '\xe9'\n", "latin1"), "is not valid UTF-8"],
  ])("refuses %s", (_label, raw, reason) => {
    const decoded = decodeSource(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it("refuses to encode a character the declared encoding cannot hold, naming the line", () => {
    const encoded = encodeSource("# coding: latin-1\nx = 1\ny = '\u20ac'\n");
    expect(encoded).toEqual({ ok: false, reason: 'declares latin-1 but line 3 holds "\u20ac", which latin-1 cannot encode' });
  });
});

describe("unwrapSoleFence", () => {
  it.each([
    ["```python\nx = 1\n```\n", "x = 1\n"],
    ["\n```py\nx = 1\ny = 2\n```", "x = 1\ny = 2\n"],
    ["~~~\nx = 1\n~~~\n", "x = 1\n"],
    ["````python\nx = 1\n````\n", "x = 1\n"],
  ])("unwraps %j", (answer, code) => {
    expect(unwrapSoleFence(answer)).toBe(code);
  });

  it.each([
    ["prose before", "Here is the fix:\n```python\nx = 1\n```\n"],
    ["prose after", "```python\nx = 1\n```\nThis fixes it.\n"],
    ["two blocks", "```python\nx = 1\n```\n```python\ny = 2\n```\n"],
    ["a fence inside", '```python\nDOC = """\n```\n"""\n```\n'],
    ["mismatched fences", "```python\nx = 1\n~~~\n"],
    ["plain code", "x = 1\n"],
  ])("leaves %s for gate 3", (_label, answer) => {
    expect(unwrapSoleFence(answer)).toBe(answer);
  });
});

describe("takeProposal", () => {
  it("refuses above the limit before parsing and keeps only an excerpt", () => {
    const text = "x = 1\n".repeat(100_000);
    const intake = takeProposal("app.py", 60, text);
    expect(intake.ok).toBe(false);
    if (intake.ok) return;
    expect(intake.reason).toBe(`the answer is ${Math.ceil(text.length / 1024)} KB, over the limit of ${Math.ceil(candidateLimit(60) / 1024)} KB for app.py (1 KB); refused before parsing`);
    expect(intake.file.content.length).toBeLessThan(3000);
  });

  it("caps every file absolutely, and lets a fix grow a small file", () => {
    expect(candidateLimit(10 * 1024 * 1024)).toBe(MAX_CANDIDATE_BYTES);
    expect(candidateLimit(1000)).toBe(1000 + 256 * 1024);
    expect(takeProposal("app.py", 1000, "x = 2\n".repeat(1000)).ok).toBe(true);
  });

  it("hashes the bytes the text encodes to", () => {
    const intake = takeProposal("app.py", 100, "# coding: latin-1\nS = '\u00e9'\n");
    expect(intake.ok).toBe(true);
    const latin1 = createHash("sha256").update(Buffer.from("# coding: latin-1\nS = '\u00e9'\n", "latin1")).digest("hex");
    if (intake.ok) expect(intake.file.sha256).toBe(latin1);
  });
});

describe("errorMismatch", () => {
  it.each([
    ["ValueError on bad input", "IndexError", "--error names ValueError, but the sandbox reproduced IndexError: OpsGuard fixes the failure it reproduced."],
    ["ValueError or KeyError", "KeyError", undefined],
    ["crashes at start", "IndexError", undefined],
    ["raises PricingError", "mypkg.errors.PricingError", undefined],
    ["ValueError", undefined, undefined],
  ])("%j vs %s", (description, reproduced, expected) => {
    expect(errorMismatch(description, reproduced)).toBe(expected);
  });
});

/**
 * Shapes declared on both sides of a layer boundary that this branch could not merge yet: the
 * sandbox's SandboxResult (src/sandbox, being changed elsewhere) and the state's SandboxRun. The
 * type check fails the moment they drift apart.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { SandboxResult } from "../../src/sandbox/sandboxResult.js";
import type { SandboxRun } from "../../src/state/state.js";

describe("one shape on both sides", () => {
  it("SandboxRun (state) is SandboxResult (sandbox)", () => {
    expectTypeOf<SandboxRun>().toEqualTypeOf<SandboxResult>();
  });
});

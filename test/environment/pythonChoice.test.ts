import { describe, expect, it } from "vitest";
import { allowsPython, choosePython } from "../../src/environment/pythonChoice.js";

describe("requires-python", () => {
  it.each([
    [">=3.12", "3.11", false],
    [">=3.12", "3.13", true],
    [">=3.8,<3.12", "3.13", false],
    [">=3.8, <3.12", "3.11", true],
    ["~=3.13", "3.13", true],
    ["~=3.11.4", "3.11", true],
    ["~=3.11.4", "3.13", false],
    ["==3.11.*", "3.11", true],
    ["==3.11.*", "3.13", false],
    ["!=3.11.*", "3.11", false],
    [">3.11", "3.11", true],
    ["<=3.11", "3.13", false],
    ["weird", "3.11", true],
  ])("%s allows %s: %s", (specifier, python, allowed) => {
    expect(allowsPython(specifier, python)).toBe(allowed);
  });
});

describe("choosing the Python", () => {
  const baseImage = "opsguard-sandbox:py3.11";
  it.each([
    [{ baseImage }, "opsguard-sandbox:py3.11"],
    [{ baseImage, python: "3.13" }, "opsguard-sandbox:py3.13"],
    [{ baseImage, requiresPython: ">=3.9" }, "opsguard-sandbox:py3.11"],
    [{ baseImage, requiresPython: ">=3.12" }, "opsguard-sandbox:py3.13"],
    [{ baseImage, python: "3.11", requiresPython: ">=3.12" }, "opsguard-sandbox:py3.11"],
    [{ baseImage: "mycorp/py:custom", requiresPython: ">=3.12" }, "mycorp/py:custom"],
  ])("%j -> %s", (input, image) => {
    expect(choosePython(input).image).toBe(image);
  });

  it("says why it moved", () => {
    expect(choosePython({ baseImage, requiresPython: ">=3.12" }).because).toBe('pyproject.toml requires-python ">=3.12" excludes 3.11');
  });

  it("stops when no known Python fits, and when --python has no family to choose from", () => {
    expect(() => choosePython({ baseImage, requiresPython: ">=3.14" })).toThrow(
      'pyproject.toml requires-python ">=3.14" excludes Python 3.11 and every Python OpsGuard builds images for (3.11, 3.13): pass --image with a Python that satisfies it.',
    );
    expect(() => choosePython({ baseImage: "mycorp/py:custom", python: "3.13" })).toThrow(
      "--python 3.13 chooses an image tagged pyX.Y in the family of the base image, and mycorp/py:custom has no such tag: pass --image with a Python 3.13 image instead.",
    );
  });
});

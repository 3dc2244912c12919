import { describe, expect, it } from "vitest";
import { floatText } from "./floatText.js";

describe("floatText", () => {
  it("floatText(x) prints a float32 in the fewest digits that read back as the same float32", () => {
    expect(floatText(Math.fround(0.1))).toBe("0.1");
    expect(floatText(Math.fround(0.8272))).toBe("0.8272");
    expect(floatText(Math.fround(Math.PI))).toBe("3.1415927");
    expect([floatText(0), floatText(-2.5), floatText(Math.fround(1e-30)), floatText(NaN)]).toEqual(["0", "-2.5", "1e-30", ""]);
    const f = new Float32Array(2000);
    for (let i = 0; i < f.length; i++) f[i] = (Math.sin(i * 12.9898) * 43758.5453) % 1 * 10 ** ((i % 13) - 6);
    for (const x of f) expect(Math.fround(Number(floatText(x)))).toBe(x);
  });
});

import { describe, expect, it } from "vitest";
import { CHART_THEME, classColor } from "./theme.js";

describe("classColor", () => {
  it("classColor(k) is Tableau 10 for the first ten classes, their lighter Tableau 20 partners next, then repeats", () => {
    expect(Array.from({ length: 10 }, (_, k) => classColor(k))).toEqual([...CHART_THEME.classColors]);
    expect(classColor(10)).toBe("#aec7e8");
    expect(classColor(19)).toBe("#9edae5");
    expect(classColor(20)).toBe(classColor(0));
    expect(new Set(Array.from({ length: 20 }, (_, k) => classColor(k))).size).toBe(20);
  });
});

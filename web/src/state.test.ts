import { describe, expect, it } from "vitest";
import { DEFAULT_STATE, formatHash, parseHash } from "./state.js";

describe("the URL state", () => {
  it("parseHash(formatHash(s)) gives s back: view, run, map, colouring, isolation, selection, cursor", () => {
    const s = { ...DEFAULT_STATE, view: "metrics" as const, run: "seed cnn", map: "tsne", color: "loss" as const, only: [2, 6], sel: { kind: "cell" as const, label: 6, predicted: 0 }, at: 41 };
    const hash = formatHash(s);
    expect(hash).toBe("#/metrics/seed%20cnn?map=tsne&color=loss&only=2,6&sel=cell:6,0&at=41");
    expect(parseHash(hash)).toEqual(s);
  });

  it("formatHash keeps a lasso to 4 significant digits, and parseHash reads it back as numbers", () => {
    const hash = formatHash({ ...DEFAULT_STATE, run: "r", sel: { kind: "lasso", polygon: [1.23456, -20.9876, 3, 4, 5.55555, 6] } });
    expect(hash).toBe("#/map/r?sel=lasso:1.235,-20.99;3,4;5.556,6");
    expect(parseHash(hash).sel).toEqual({ kind: "lasso", polygon: [1.235, -20.99, 3, 4, 5.556, 6] });
  });

  it("parseHash ignores what it cannot read (an unknown view or colouring, a short lasso) and keeps the defaults", () => {
    const s = parseHash("#/nowhere/r?color=rainbow&sel=lasso:1,2;3,4&at=x&only=a,3");
    expect(s).toEqual({ ...DEFAULT_STATE, run: "r", only: [3] });
    expect(parseHash("#/image/r/12").row).toBe(12);
    expect(parseHash("").view).toBe("map");
  });
});

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

  it("formatHash writes a mixed class pair and the review's item, and parseHash reads them back", () => {
    const s = { ...DEFAULT_STATE, view: "diagnose" as const, run: "r", sel: { kind: "pair" as const, a: 6, b: 0, by: "neighbors" as const } };
    expect(formatHash(s)).toBe("#/diagnose/r?sel=pair:n,6,0");
    expect(parseHash(formatHash(s))).toEqual(s);
    const r = { ...DEFAULT_STATE, view: "review" as const, run: "r", item: 12 };
    expect(formatHash(r)).toBe("#/review/r?item=12");
    expect(parseHash(formatHash(r))).toEqual(r);
    expect(parseHash("#/diagnose/r?sel=pair:p,2,4").sel).toEqual({ kind: "pair", a: 2, b: 4, by: "predictions" });
    expect(parseHash("#/diagnose/r?sel=pair:x,2,4").sel).toBeNull();
    expect(parseHash("#/diagnose/r?sel=pair:n,2,2").sel).toBeNull();
  });

  it("parseHash ignores what it cannot read (an unknown view or colouring, a short lasso) and keeps the defaults", () => {
    const s = parseHash("#/nowhere/r?color=rainbow&sel=lasso:1,2;3,4&at=x&only=a,3");
    expect(s).toEqual({ ...DEFAULT_STATE, run: "r", only: [3] });
    expect(parseHash("#/image/r/12").row).toBe(12);
    expect(parseHash("").view).toBe("map");
  });
});

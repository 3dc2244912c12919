import { describe, expect, it } from "vitest";
import { perClassDeltaSpec, confidenceShares, layerStatsSpec } from "../charts/compare.js";
import { esc, inlineSvg, note, points, table } from "./html.js";
import { renderPage } from "./page.js";
import { classSeparation, confusedPairs, words } from "./summary.js";
import { sampleRows } from "./samples.js";

describe("html pieces", () => {
  it("esc(text) escapes markup and quotes; note(text) is a visible, escaped note", () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(note("map.npy <gone>")).toBe('<p class="note" role="note"><strong>Missing:</strong> map.npy &lt;gone&gt;</p>');
  });

  it("inlineSvg(svg, label, key) prefixes ids and every reference to them, so two charts on one page never share a clip path", () => {
    const svg = '<?xml version="1.0"?><svg width="10"><defs><clipPath id="clip1"><rect/></clipPath><linearGradient id="gradient_0"/></defs><g clip-path="url(#clip1)"><rect fill="url(#gradient_0)"/><use xlink:href="#clip1"/></g></svg>';
    const a = inlineSvg(svg, "chart A", "a");
    expect(a).toBe('<svg role="img" aria-label="chart A" width="10"><defs><clipPath id="a-clip1"><rect/></clipPath><linearGradient id="a-gradient_0"/></defs><g clip-path="url(#a-clip1)"><rect fill="url(#a-gradient_0)"/><use xlink:href="#a-clip1"/></g></svg>');
    expect(inlineSvg(svg, "chart B", "b")).toContain('id="b-clip1"');
    const rounded = inlineSvg('<svg><path transform="translate(1.23456,7.891011)" d="M0.123456,1L2.5,3.14159"/><text>v1.23456</text></svg>', "c", "c");
    expect(rounded).toContain('transform="translate(1.23,7.89)" d="M0.12,1L2.5,3.14"');
    expect(rounded).toContain("<text>v1.23456</text>"); // text is never touched
  });

  it("table(head, rows) right-aligns numeric columns; points(delta) signs percentage points", () => {
    expect(table(["a", "n"], [["x", "1"]], { numeric: [false, true] })).toBe('<table><thead><tr><th>a</th><th class="num">n</th></tr></thead><tbody><tr><td>x</td><td class="num">1</td></tr></tbody></table>');
    expect([points(0.031), points(-0.004), points(0)]).toEqual(["+3.1", "−0.4", "0.0"]);
  });

  it("renderPage(o) is one document with its style and script inline and no external resource", () => {
    const html = renderPage({ title: "t", subtitle: "s", meta: "m", sections: [{ id: "one", title: "Why?", html: "<p>because</p>" }] });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<a href="#one">Why?</a>');
    expect(html).toContain('<section id="one"><h2>Why?</h2><p>because</p></section>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:|#)/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("confusedPairs(confusion, top) lists the largest off-diagonal cells; classSeparation sorts by silhouette; words joins", () => {
    expect(confusedPairs([[5, 2, 0], [7, 3, 1], [0, 2, 9]], 2)).toEqual([[1, 0, 7], [0, 1, 2]]);
    expect(classSeparation({ silhouette: { map_per_class: [0.1, 0.5, -0.2] } }, ["a", "b", "c"])!.map((c) => c.name)).toEqual(["b", "a", "c"]);
    expect(classSeparation(null, ["a"])).toBeNull();
    expect([words(["a"]), words(["a", "b"]), words(["a", "b", "c"])]).toEqual(["a", "a and b", "a, b and c"]);
  });

  it("sampleRows(labels, k, perClass, seed) picks up to perClass rows of each class, the same for the same seed", () => {
    const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
    const rows = sampleRows(labels, 3, 4, 0);
    expect(rows.map((r) => r.length)).toEqual([4, 4, 4]);
    rows.forEach((r, k) => r.forEach((i) => expect(labels[i]).toBe(k)));
    expect(sampleRows(labels, 3, 4, 0)).toEqual(rows);
  });
});

describe("compare charts", () => {
  it("perClassDeltaSpec(o) puts accuracy first, then each class's recall difference in points, each row named with 'A → B'", () => {
    const spec = perClassDeltaSpec({ classes: ["cat", "dog"], a: { name: "10k", recall: [0.5, 0.9], accuracy: 0.7 }, b: { name: "50k", recall: [0.75, 0.8], accuracy: 0.775 }, title: "t" }) as unknown as { data: { values: unknown[] } };
    expect(spec.data.values).toEqual([
      { row: "all classes (accuracy): 70.0% → 77.5%", delta: 7.5, side: "better" },
      { row: "cat: 50.0% → 75.0%", delta: 25, side: "better" },
      { row: "dog: 90.0% → 80.0%", delta: -10, side: "worse" },
    ]);
  });

  it("confidenceShares(c, bins) gives each bin's share; layerStatsSpec keeps the layers in network order", () => {
    expect(confidenceShares([0.05, 0.55, 0.95, 1], 2)).toEqual([0.25, 0.75]);
    const spec = layerStatsSpec({ rows: [{ layer: "conv", run: "a", mean: 1, zeros: 0 }, { layer: "relu", run: "a", mean: 0.5, zeros: 0.5 }], layers: ["conv", "relu"], runs: ["a", "b"], title: "t" }) as unknown as { hconcat: { encoding: { y: { sort: string[] } } }[] };
    expect(spec.hconcat[0].encoding.y.sort).toEqual(["conv", "relu"]);
  });
});

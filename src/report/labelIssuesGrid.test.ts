import { describe, expect, it } from "vitest";
import { type LabelIssueCell, renderLabelIssuesGrid, SUGGESTED } from "./labelIssuesGrid.js";

const images = { height: 28, width: 28, channels: 1, images: new Uint8Array(6 * 784).map((_, i) => (i % 784) % 255) };
const cell = (row: number): LabelIssueCell => ({ row, index: 100 + row, given: row % 3, suggested: (row + 1) % 3, score: 0.9, confident: true, neighbours: row % 2 === 0 });

describe("renderLabelIssuesGrid", () => {
  it("renderLabelIssuesGrid(…) lays 6 suspects out as one row under the title, with the suggested labels in their colour", () => {
    const r = renderLabelIssuesGrid({ images, cells: [0, 1, 2, 3, 4, 5].map(cell), classes: ["Shirt", "T-shirt/top", "Coat"], title: "Labels that may be wrong", notes: ["a note"] });
    // 6 cells of max(28·4, 18 glyphs · 6 px) = 112 px, 10 px apart, 12 px margins
    expect(r.width).toBe(2 * 12 + 6 * 112 + 5 * 10);
    // The text is anti-aliased: count pixels tinted towards SUGGESTED (blue well above red).
    let blue = 0;
    for (let p = 0; p < r.data.length; p += 3) if (r.data[p + 2] - r.data[p] > (SUGGESTED[2] - SUGGESTED[0]) / 3) blue++;
    expect(blue).toBeGreaterThan(200);
  });

  it("renderLabelIssuesGrid(…) evens out rows (10 suspects as 5 + 5) and says so when nothing is flagged", () => {
    const ten = renderLabelIssuesGrid({ images: { ...images, images: new Uint8Array(10 * 784) }, cells: Array.from({ length: 10 }, (_, i) => cell(i)), classes: ["a", "b", "c"], title: "t" });
    expect(ten.width).toBe(2 * 12 + 5 * 112 + 4 * 10);
    const none = renderLabelIssuesGrid({ images, cells: [], classes: ["a"], title: "No label issues" });
    expect(none.height).toBeLessThan(80);
  });
});

import { describe, expect, it } from "vitest";
import { DataError } from "../../util/errors.js";
import { formatLabelFixes, type LabelFix, parseLabelFixes } from "./labelIssuesFixes.js";

const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

describe("label fixes", () => {
  it("parseLabelFixes(text, classes) reads keep, relabel (by name or index) and drop, in any column order, ignoring other columns", () => {
    const text = "\uFEFFaction,index,note,new_label\r\nrelabel,12,looks like a shirt,Shirt\r\ndrop,3,blurry,\r\nkeep,40,,\r\nrelabel,7,,\"Ankle boot\"\r\nrelabel,8,,4\r\n\r\n";
    expect(parseLabelFixes(text, CLASSES)).toEqual([
      { index: 12, action: "relabel", newLabel: 6 },
      { index: 3, action: "drop", newLabel: null },
      { index: 40, action: "keep", newLabel: null },
      { index: 7, action: "relabel", newLabel: 9 },
      { index: 8, action: "relabel", newLabel: 4 },
    ]);
  });

  it("parseLabelFixes(…) reports every bad line in one DataError naming the file and the lines", () => {
    const text = ["index,action,new_label", "1,relabel,Shirt", "2,delete,", "3,relabel,Sweater", "1,keep,", "x,drop,", "5,relabel,", "6,drop,Coat", "7,relabel,10"].join("\n");
    let err: unknown;
    try {
      parseLabelFixes(text, CLASSES, "fixes.csv");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const m = (err as Error).message;
    expect(m).toMatch(/^fixes\.csv: 7 problems in the label fixes: /);
    expect(m).toMatch(/line 3: unknown action 'delete' \(keep, relabel, drop\)/);
    expect(m).toMatch(/line 4: new_label 'Sweater' is not a class \(classes: 'T-shirt\/top', .*or an index 0\.\.9\)/);
    expect(m).toMatch(/line 5: index 1 appears twice \(first on line 2\)/);
    expect(m).toMatch(/line 6: index 'x' is not a non-negative integer/);
    expect(m).toMatch(/line 7: relabel needs a new_label/);
    expect(m).toMatch(/line 8: new_label 'Coat' goes only with relabel, not drop/);
    expect(m).toMatch(/line 9: new_label '10' is not a class/);
  });

  it("parseLabelFixes(…) refuses a file without the header's columns, or an empty one", () => {
    expect(() => parseLabelFixes("index,decision\n1,keep\n", CLASSES, "f.csv")).toThrow(/f\.csv: line 1: the header lacks 'action', 'new_label'; expected 'index,action,new_label'/);
    expect(() => parseLabelFixes("\n\n", CLASSES, "f.csv")).toThrow(/f\.csv: empty/);
  });

  it("formatLabelFixes(fixes, classes) writes what parseLabelFixes reads back, quoting names that need it", () => {
    const classes = [...CLASSES, 'odd, "quoted" name'];
    const fixes: LabelFix[] = [
      { index: 5, action: "relabel", newLabel: 10 },
      { index: 0, action: "drop", newLabel: null },
      { index: 9, action: "keep", newLabel: null },
    ];
    const text = formatLabelFixes(fixes, classes);
    expect(text.split("\n")[0]).toBe("index,action,new_label");
    expect(text).toMatch(/5,relabel,"odd, ""quoted"" name"/);
    expect(parseLabelFixes(text, classes)).toEqual(fixes);
    expect(() => formatLabelFixes([{ index: 1, action: "relabel", newLabel: null }], CLASSES)).toThrow(RangeError);
    expect(() => formatLabelFixes([fixes[1], fixes[1]], CLASSES)).toThrow(/index 0 appears twice/);
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.js";

/** Runs the CLI in this process (no build needed), capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  const code = await main(["node", "featurelens", ...args]);
  vi.restoreAllMocks();
  return { code, out, err };
}
afterEach(() => vi.restoreAllMocks());

describe("featurelens label-issues", () => {
  it("featurelens label-issues --data sample:train --limit 300 --arch mlp --folds 2 prints the flagged counts, the noise per class and the top of the queue", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "cli-li-")), "issues");
    const r = await cli(["label-issues", "--data", "sample:train", "--limit", "300", "--arch", "mlp", "--folds", "2", "--epochs", "1", "--threads", "1", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^label issues in sample:train: \d+ of 300 images \(\d+\.\d%\) — \d+ by confident learning, \d+ by their neighbours, \d+ by both\n/);
    expect(r.out).toMatch(/class +images +est\. noise +flagged\nT-shirt\/top +30 +\d+\.\d% +\d+/);
    expect(r.out).toMatch(/rank +image +given +suggested +score +reason\n +1 +#\d+ /);
    expect(r.out).toMatch(/wrote queue\.parquet, queue\.csv, suspects\.png, summary\.json to /);
    const json = await cli(["label-issues", "--data", "sample:train", "--limit", "300", "--arch", "mlp", "--folds", "2", "--epochs", "1", "--threads", "1", "--out", out, "--json"]);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ source: "k-fold", n: 300, folds: 2, files: ["queue.parquet", "queue.csv", "suspects.png", "summary.json"] });
  });

  it("featurelens label-issues refuses bad flags with one line", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "cli-li-")), "x");
    const both = await cli(["label-issues", "--run", "seed", "--data", "sample:train", "--arch", "mlp", "--out", out]);
    expect(both.code).toBe(1);
    expect(both.err).toBe("featurelens: error: give --run RUN or --data SPEC --arch A, not both: --run reads the run's predictions, --data trains k-fold networks\n");
    const folds = await cli(["label-issues", "--data", "sample:train", "--limit", "40", "--arch", "mlp", "--folds", "5", "--out", out]);
    expect(folds.err).toMatch(/^featurelens: error: --folds 5 is more than a class has images: 'T-shirt\/top' has 4 images, .*\n$/);
    const none = await cli(["label-issues", "--out", out]);
    expect(none.err).toMatch(/give --run RUN \(a run's predictions\) or --data SPEC --arch A \(k-fold training\)/);
  });
});

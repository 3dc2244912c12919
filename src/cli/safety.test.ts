import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeNpy } from "../data/npy.js";
import { readModel, writeModel } from "../engine/onnx/io.js";
import { plainLine } from "./progress.js";
import { ROOT, runCli } from "./cli.testutil.js";

/**
 * The careless and hostile inputs of the issue "Nothing a user made is lost, nothing hangs, every
 * mistake gets one clear line", one row each: the exit code, the one line that names the flag or
 * file, and every file that existed before has the same bytes after (only the paths a row says
 * may change are let change).
 */

const SEED = join(ROOT, "src", "engine", "fixtures", "seed-cnn", "model.onnx");
let dir = "";
/** A run made by analyze (the untrained fixture on 100 test images) and one made by train. */
let run = "";
let trained = "";

function hashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(relative(root, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(root);
  return out;
}

interface Case {
  name: string;
  setup?: () => void;
  args: () => string[];
  code: number;
  err?: RegExp;
  out?: RegExp;
  /** Files (relative to the test folder) that may change or appear. */
  changes?: RegExp;
  then?: () => void;
}

const npy = (name: string, shape: number[], data: Float32Array | Int32Array | Uint8Array, dtype: "float32" | "int32" | "uint8") => {
  const f = join(dir, name);
  writeNpy(f, { dtype, shape, data });
  return f;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "safety-"));
  run = join(dir, "ws", "runs", "r");
  const a = runCli(["analyze", "--model", SEED, "--data", "sample:test", "--limit", "100", "--maps", "pca", "--out", run]);
  expect(a.code, a.err).toBe(0);
  trained = join(dir, "ws", "runs", "t");
  const t = runCli(["train", "--data", "sample:train", "--limit", "200", "--arch", "seed-cnn", "--epochs", "1", "--no-analyze", "--out", trained]);
  expect(t.code, t.err).toBe(0);
  npy("images.npy", [20, 28, 28], new Uint8Array(20 * 784).map((_, i) => i % 251), "uint8");
  npy("labels.npy", [20], Int32Array.from({ length: 20 }, (_, i) => i % 10), "int32");
  npy("feats.npy", [40, 8], Float32Array.from({ length: 320 }, (_, i) => Math.sin(i)), "float32");
  npy("feat-labels.npy", [40], Int32Array.from({ length: 40 }, (_, i) => i % 4), "int32");
  writeFileSync(join(dir, "thesis.npy"), "a file featurelens did not write");
  mkdirSync(join(dir, "folder.npy"));
  writeFileSync(join(dir, "notes.txt"), "mine");
}, 120_000);

const CASES: Case[] = [
  // Data loss
  { name: "extract --out RUN/model.onnx would replace the model", args: () => ["extract", "--model", run, "--data", "sample:test", "--limit", "100", "--out", join(run, "model.onnx")], code: 1, err: /--out .*model\.onnx (would write over --model|exists and featurelens did not write it|must end in)/ },
  { name: "extract --out over a run's own features is refused", args: () => ["extract", "--model", run, "--data", "sample:test", "--limit", "100", "--out", join(run, "features", "penultimate.npy")], code: 1, err: /--out .*penultimate\.npy exists and featurelens did not write it/ },
  { name: "predict --out IMAGES --labels-out LABELS would overwrite its own input", args: () => ["predict", "--model", SEED, "--data", `npy:${join(dir, "images.npy")},${join(dir, "labels.npy")}`, "--out", join(dir, "images.npy"), "--labels-out", join(dir, "labels.npy")], code: 1, err: /--out .*images\.npy would write over --data/ },
  { name: "predict --out p.npy --labels-out p.npy names one file twice", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "10", "--out", join(dir, "p.npy"), "--labels-out", join(dir, "p.npy")], code: 1, err: /--labels-out and --out name the same file/ },
  { name: "embed --labels L --out L would overwrite the labels", args: () => ["embed", "--in", join(dir, "feats.npy"), "--labels", join(dir, "feat-labels.npy"), "--out", join(dir, "feat-labels.npy")], code: 1, err: /--out .* would overwrite --labels/ },
  { name: "embed --out over a file featurelens did not write", args: () => ["embed", "--in", join(dir, "feats.npy"), "--method", "pca", "--out", join(dir, "thesis.npy")], code: 1, err: /--out .*thesis\.npy exists and featurelens did not write it; choose another name, or pass --force/ },
  { name: "train --out EXISTING_RUN without --resume", args: () => ["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--epochs", "1", "--out", trained], code: 1, err: /already holds a run .*--resume/ },
  { name: "train --out '' is an error", args: () => ["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--out", ""], code: 1, err: /--out is empty/ },
  { name: "train into a folder of someone else's files", setup: () => mkdirSync(join(dir, "photos"), { recursive: true }), args: () => ["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--epochs", "1", "--out", dir], code: 1, err: /is not a featurelens run but holds .* file\(s\).*--force/ },
  {
    name: "evaluate --run RUN --data OTHER goes into a domain, never over the run's evaluation",
    args: () => ["evaluate", "--run", run, "--data", "sample:train", "--limit", "50"],
    code: 0, out: /on sample:train: 50 samples/, changes: /ws\/runs\/r\/(run\.json|domains\/)/,
    then: () => expect(existsSync(join(run, "domains", "sample-train", "evaluation", "report.json"))).toBe(true),
  },
  {
    name: "a run being written by another command is refused, naming it",
    setup: () => writeFileSync(join(run, ".lock"), JSON.stringify({ pid: process.pid, host: hostname(), command: "train", since: "now" })),
    args: () => ["analyze", "--run", run, "--data", "sample:train", "--limit", "30", "--domain", "locked"],
    code: 1, err: /is being written by `featurelens train` \(process \d+/, changes: /ws\/runs\/r\/\.lock/,
    then: () => writeFileSync(join(run, ".lock"), "{}"),
  },
  { name: "--resume with another architecture is refused, naming it", args: () => ["train", "--data", "sample:train", "--limit", "200", "--arch", "mlp", "--epochs", "2", "--no-analyze", "--resume", "--out", trained], code: 1, err: /--resume: the run was started with other settings: --arch "seed-cnn" then, "mlp" now/, changes: /ws\/runs\/t\/\.lock/ },
  { name: "--resume with a 2-class dataset over a 10-class run is refused", args: () => ["train", "--data", "sample:train", "--only", "0,1", "--limit", "200", "--arch", "seed-cnn", "--epochs", "2", "--no-analyze", "--resume", "--out", trained], code: 1, err: /--resume: the run was started with other settings: .*--only null then, "0,1" now/, changes: /ws\/runs\/t\/\.lock/ },
  {
    name: "a killed write's temporary file is cleaned up by the next write of that file",
    setup: () => writeFileSync(join(dir, "m1.npy.tmp-999999-x"), "half"),
    args: () => ["embed", "--in", join(dir, "feats.npy"), "--method", "pca", "--out", join(dir, "m1.npy")],
    code: 0, changes: /^m1\.|\.featurelens-outputs\.json/,
    then: () => expect(existsSync(join(dir, "m1.npy.tmp-999999-x"))).toBe(false),
  },
  {
    name: "embed --out M twice: the second map's sidecars replace the first's, none left stale",
    setup: () => {
      npy("wide.npy", [60, 64], Float32Array.from({ length: 3840 }, (_, i) => Math.sin(i * 0.37)), "float32");
      expect(runCli(["embed", "--in", join(dir, "wide.npy"), "--perplexity", "10", "--out", join(dir, "m2.npy")]).code).toBe(0);
      expect(existsSync(join(dir, "m2.pca.json"))).toBe(true);
    },
    args: () => ["embed", "--in", join(dir, "feats.npy"), "--out", join(dir, "m2.npy"), "--perplexity", "5"],
    code: 0, changes: /^m2\.|\.featurelens-outputs\.json/,
    then: () => expect(existsSync(join(dir, "m2.pca.json"))).toBe(false),
  },
  {
    name: "embed with negative labels fails before writing anything",
    setup: () => npy("neg.npy", [40], Int32Array.from({ length: 40 }, (_, i) => (i === 5 ? -3 : i % 4)), "int32"),
    args: () => ["embed", "--in", join(dir, "feats.npy"), "--labels", join(dir, "neg.npy"), "--out", join(dir, "m3.npy")],
    code: 1, err: /neg\.npy: .*-3 at index 5/,
    then: () => expect(existsSync(join(dir, "m3.npy"))).toBe(false),
  },
  {
    name: "embed of 2 rows: a map or one clear error, never a map without its quality",
    setup: () => npy("two.npy", [2, 3], Float32Array.of(0, 1, 2, 3, 4, 5), "float32"),
    args: () => ["embed", "--in", join(dir, "two.npy"), "--method", "pca", "--out", join(dir, "m4.npy")],
    code: 0, changes: /^m4\.|\.featurelens-outputs\.json/,
  },
  // Hangs, crashes, unbounded memory
  {
    name: "one label of 2^30 is refused, not a heap crash",
    setup: () => npy("big-labels.npy", [20], Int32Array.from({ length: 20 }, (_, i) => (i === 3 ? 2 ** 30 : 0)), "int32"),
    args: () => ["dataset", "--data", `npy:${join(dir, "images.npy")},${join(dir, "big-labels.npy")}`], code: 1, err: /big-labels\.npy: .*index 3: 1073741824/,
  },
  { name: "npy:/dev/zero is refused at once", args: () => ["dataset", "--data", "npy:/dev/zero"], code: 1, err: /\/dev\/zero: is a character device, not a regular file/ },
  { name: "idx:/dev/zero is refused at once", args: () => ["dataset", "--data", "idx:/dev/zero"], code: 1, err: /\/dev\/zero: is a character device/ },
  { name: "folder:/proc/self is refused", args: () => ["dataset", "--data", "folder:/proc/self"], code: 1, err: /\/proc\/self: is inside \/proc/ },
  { name: "--threads 1000 is capped at the cores, with a word", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "10", "--threads", "1000", "--out", join(dir, "p5.npy")], code: 0, err: /--threads 1000 is more than this machine's \d+ cores; using \d+/, changes: /^p5\.npy|\.featurelens-outputs\.json/ },
  // Silent wrong results
  {
    name: "neighbors pairing 100 features with 5,000 images is refused",
    args: () => ["neighbors", "--in", join(run, "features", "penultimate.npy"), "--query", "3", "--data", "sample:train"],
    code: 1, err: /(5000 images but 100 rows of features|not the images the features were extracted from)/,
  },
  { name: "--std 0 is refused", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "10", "--std", "0", "--out", join(dir, "p6.npy")], code: 1, err: /--std must not be 0/ },
  { name: "--mean with two values on a 1-channel model is refused", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "10", "--mean", "0.5,0.5", "--out", join(dir, "p7.npy")], code: 1, err: /--mean takes one value or one per channel; the model's input has 1 channel, got 2 values/ },
  {
    name: "a folder of classes the model does not have is refused, naming them",
    setup: () => {
      for (const c of ["cat", "dog", "frog"]) {
        mkdirSync(join(dir, "pets", c), { recursive: true });
        copyFileSync(join(ROOT, "docs", "samples-train.png"), join(dir, "pets", c, "1.png"));
      }
    },
    args: () => ["predict", "--model", run, "--data", `folder:${join(dir, "pets")}`, "--size", "28", "--channels", "1", "--out", join(dir, "p8.npy")],
    code: 1, err: /do not match the model's 10 .*cat, dog, frog are not among them/,
  },
  { name: "--pca -1 is refused", args: () => ["embed", "--in", join(dir, "feats.npy"), "--pca", "-1", "--out", join(dir, "m5.npy")], code: 1, err: /--pca takes 0 \(never\) or a number of components, got '-1'/ },
  {
    name: "labels shaped 40×2 are refused, not flattened",
    setup: () => npy("wide-labels.npy", [40, 2], new Int32Array(80), "int32"),
    args: () => ["embed", "--in", join(dir, "feats.npy"), "--labels", join(dir, "wide-labels.npy"), "--out", join(dir, "m6.npy")], code: 1, err: /wide-labels\.npy: labels must be 1-D/,
  },
  {
    name: "features scaled by 1e30 get a word",
    setup: () => npy("huge.npy", [40, 8], Float32Array.from({ length: 320 }, (_, i) => Math.sin(i) * 1e30), "float32"),
    args: () => ["embed", "--in", join(dir, "huge.npy"), "--method", "pca", "--out", join(dir, "m7.npy")], code: 0, err: /values reach 1\.0e\+30; maps assume ordinary scales/, changes: /^m7\.|\.featurelens-outputs\.json/,
  },
  // Unclear errors
  { name: "train --out at a file", args: () => ["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--out", join(dir, "notes.txt")], code: 1, err: /notes\.txt/ },
  { name: "inspect --out at a file", args: () => ["inspect", "--model", SEED, "--data", "sample:test", "--index", "0", "--out", join(dir, "notes.txt")], code: 1, err: /--out .*notes\.txt is a file; give a folder/ },
  { name: "evaluate --out at a file", args: () => ["evaluate", "--run", run, "--out", join(dir, "notes.txt")], code: 1, err: /--out .*notes\.txt is a file; give a folder/ },
  { name: "embed --out at a folder", args: () => ["embed", "--in", join(dir, "feats.npy"), "--method", "pca", "--out", join(dir, "folder.npy")], code: 1, err: /--out .*folder\.npy is a folder; give a file name/ },
  { name: "predict --out at a folder", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "5", "--out", join(dir, "folder.npy")], code: 1, err: /--out .*folder\.npy is a folder; give a file name/ },
  { name: "dataset --grid at a folder", args: () => ["dataset", "--data", "sample:test", "--grid", join(dir, "folder.npy")], code: 1, err: /--grid .*folder\.npy is a folder/ },
  { name: "--out /proc/e.npy names the path", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "5", "--out", "/proc/e.npy"], code: 1, err: /\/proc\/e\.npy/ },
  { name: "--only with one class names the flag", args: () => ["train", "--data", "sample:train", "--only", "3", "--arch", "seed-cnn", "--out", join(dir, "one")], code: 1, err: /--only/ },
  {
    name: "a model of opset 99 is one line, not onnxruntime's C++ signature",
    setup: () => {
      const m = readModel(SEED);
      writeModel(join(dir, "opset99.onnx"), { ...m, opsetImports: m.opsetImports.map((o) => (o.domain === "" || o.domain === "ai.onnx" ? { ...o, version: 99 } : o)) });
    },
    args: () => ["predict", "--model", join(dir, "opset99.onnx"), "--data", "sample:test", "--limit", "5", "--out", join(dir, "p9.npy")], code: 1, err: /opset 99; onnxruntime [\d.]+ here supports up to \d+/,
  },
  { name: "--device cuda without a GPU is our one line, no onnxruntime log", args: () => ["predict", "--model", SEED, "--data", "sample:test", "--limit", "5", "--device", "cuda", "--out", join(dir, "p10.npy")], code: 1, err: /^featurelens: error: .*(CUDA|cuda)[^\n]*\n$/ },
  { name: "--freeze beyond the layers names the flag", args: () => ["train", "--data", "sample:train", "--limit", "100", "--arch", join(trained, "model.onnx"), "--freeze", "9", "--out", join(dir, "frozen")], code: 1, err: /--freeze 9: the model has \d+ layers with weights/ },
  {
    name: "two embeds into one --out at once: the second is refused, naming the first",
    setup: () => writeFileSync(join(dir, "m10.npy.lock"), JSON.stringify({ pid: process.pid, host: hostname(), command: "embed", since: "now" })),
    args: () => ["embed", "--in", join(dir, "feats.npy"), "--method", "pca", "--out", join(dir, "m10.npy")], code: 1, err: /m10\.npy is being written by `featurelens embed` \(process \d+/,
  },
  {
    name: "--drop-invalid that drops every row says so",
    setup: () => npy("nan.npy", [5, 2], new Float32Array(10).fill(Number.NaN), "float32"),
    args: () => ["embed", "--in", join(dir, "nan.npy"), "--drop-invalid", "--out", join(dir, "m8.npy")], code: 1, err: /every row holds NaN or ±Infinity/,
  },
];

describe("featurelens on careless and hostile input", () => {
  for (const c of CASES) {
    it(c.name, () => {
      c.setup?.();
      const before = hashes(dir);
      const r = runCli(c.args());
      expect(r.code, `${r.out}\n${r.err}`).toBe(c.code);
      if (c.code !== 0) {
        expect(r.err).toMatch(/^featurelens: error: /m);
        expect(r.err).not.toMatch(/unexpected error/);
        expect(r.err.trim().split("\n").filter((l) => l.startsWith("featurelens: error:"))).toHaveLength(1);
      }
      if (c.err) expect(r.err).toMatch(c.err);
      if (c.out) expect(r.out).toMatch(c.out);
      const after = hashes(dir);
      for (const [file, hash] of before) {
        if (c.changes?.test(file)) continue;
        expect(after.get(file), `${file} changed`).toBe(hash);
      }
      c.then?.();
    }, 60_000);
  }

  it("plainLine() is the progress line long work prints off a terminal", () => {
    expect(plainLine("t-SNE", 350, 1000, "iterations", 80_000)).toBe("t-SNE 350/1000 iterations (35%), 1m 20s so far");
    expect(plainLine("decoding", 12, 0, "", 4_000)).toBe("decoding 12, 4s so far");
  });

  it("embed off a terminal prints a plain progress line every few seconds ($FEATURELENS_PROGRESS_EVERY_MS here)", () => {
    npy("many.npy", [3000, 16], Float32Array.from({ length: 48000 }, (_, i) => Math.sin(i * 0.013) + (i % 7)), "float32");
    const r = runCli(["embed", "--in", join(dir, "many.npy"), "--out", join(dir, "m9.npy")], { FEATURELENS_PROGRESS_EVERY_MS: "300" });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/featurelens: t-SNE \d+\/1000 iterations \(\d+%\), \d+s so far/);
  }, 60_000);
});

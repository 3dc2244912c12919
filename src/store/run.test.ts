import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../util/errors.js";
import { FEATURELENS_VERSION } from "../util/version.js";
import { acquireLock, LockedError } from "./lock.js";
import { openRunForWrite, removeTemporaries, Run, sameParams } from "./run.js";
import { formatRunRecord, newRunRecord, parseRunRecord, RUN_SCHEMA_VERSION } from "./runRecord.js";
import { findRun, listRuns, openWorkspace, removeRun, runFolder, slug } from "./workspace.js";

const tmp = () => mkdtempSync(join(tmpdir(), "store-"));

describe("workspace", () => {
  it("runFolder(ws, ref) reads an id inside the workspace and a path as a path; empty and odd ids are refused", () => {
    const ws = openWorkspace("/w");
    expect(runFolder(ws, "seed")).toBe("/w/runs/seed");
    expect(runFolder(ws, "./x/seed")).toBe(join(process.cwd(), "x", "seed"));
    expect(runFolder(ws, "/abs/run")).toBe("/abs/run");
    expect(() => runFolder(ws, "")).toThrow(UsageError);
    expect(() => runFolder(ws, "  ", "--out")).toThrow(/--out is empty/);
    expect(() => runFolder(ws, "a b")).toThrow(/a run id is letters, digits/);
  });

  it("findRun(ws, ref) finds a run by id or path, and an unknown one lists the runs there are", () => {
    const root = tmp();
    const ws = openWorkspace(root);
    const run = openRunForWrite(join(ws.runs, "alpha"), { command: "test" });
    run.release();
    expect(findRun(ws, "alpha")).toBe(join(ws.runs, "alpha"));
    expect(findRun(ws, join(ws.runs, "alpha"))).toBe(join(ws.runs, "alpha"));
    expect(() => findRun(ws, "beta")).toThrow(/no such run; runs in .*: alpha/);
    expect(() => findRun(openWorkspace(tmp()), "beta")).toThrow(/there are no runs in/);
  });

  it("listRuns(ws) lists every run, a damaged one with its problem, and a missing artifact by name", () => {
    const ws = openWorkspace(tmp());
    const a = openRunForWrite(join(ws.runs, "a"), { command: "test" });
    writeFileSync(a.path("x.txt"), "x");
    a.recordArtifact(a.record, { file: "x.txt", kind: "other", params: {} });
    a.release();
    mkdirSync(join(ws.runs, "broken"), { recursive: true });
    writeFileSync(join(ws.runs, "broken", "run.json"), "{ not json");
    const listed = listRuns(ws);
    expect(listed.map((r) => r.id).sort()).toEqual(["a", "broken"]);
    expect(listed.find((r) => r.id === "broken")!.problems[0]).toMatch(/not valid JSON/);
    expect(listed.find((r) => r.id === "a")!.problems).toEqual([]);
    // A recorded file that is gone is named, and the listing goes on.
    rmSync(join(ws.runs, "a", "x.txt"));
    expect(listRuns(ws).find((r) => r.id === "a")!.problems).toEqual(["missing x.txt"]);
  });

  it("removeRun(ws, id) removes a run, and refuses a folder that is not one", () => {
    const ws = openWorkspace(tmp());
    openRunForWrite(join(ws.runs, "gone"), { command: "test" }).release();
    expect(removeRun(ws, "gone")).toBe(join(ws.runs, "gone"));
    expect(existsSync(join(ws.runs, "gone"))).toBe(false);
    mkdirSync(join(ws.runs, "plain"), { recursive: true });
    expect(() => removeRun(ws, "plain")).toThrow(/is not a run/);
  });

  it("slug(s) makes folder-safe names", () => {
    expect(slug("fashion-mnist:train")).toBe("fashion-mnist-train");
    expect(slug("/layer1/layer1.0/relu/Relu")).toBe("layer1-layer1.0-relu-relu");
    expect(slug("../../etc")).toBe("etc");
  });
});

describe("runs", () => {
  it("openRunForWrite(dir) makes a run, records artifacts atomically, and reopens it", () => {
    const dir = join(tmp(), "r");
    const run = openRunForWrite(dir, { command: "analyze", argv: ["analyze"], classes: ["a", "b"] });
    expect(run.created).toBe(true);
    writeFileSync(run.path("predictions.parquet"), "data");
    run.recordArtifact(run.record, { file: "predictions.parquet", kind: "predictions", params: { model: "m", data: "d" } });
    expect(run.hasArtifact(run.record, "predictions.parquet", { data: "d", model: "m" })).toBe(true);
    expect(run.hasArtifact(run.record, "predictions.parquet", { model: "other", data: "d" })).toBe(false);
    run.release();
    const again = Run.read(dir);
    expect(again.record.artifacts["predictions.parquet"]).toMatchObject({ kind: "predictions", made_by: "analyze", bytes: 4 });
    expect(again.record.featurelens_version).toBe(FEATURELENS_VERSION);
    expect(again.record.schema).toBe(RUN_SCHEMA_VERSION);
  });

  it("a second command on a locked run is refused, naming the first; a lock left by a dead process is taken over", () => {
    const dir = join(tmp(), "r");
    const first = openRunForWrite(dir, { command: "train" });
    expect(() => openRunForWrite(dir, { command: "analyze" })).toThrow(LockedError);
    expect(() => openRunForWrite(dir, { command: "analyze" })).toThrow(/being written by `featurelens train` \(process \d+/);
    first.release();
    openRunForWrite(dir, { command: "analyze" }).release();
    // A dead process's lock: a process that has exited leaves its pid behind.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(join(dir, ".lock"), JSON.stringify({ pid: Number(dead), host: hostname(), command: "train", since: "then" }));
    openRunForWrite(dir, { command: "analyze" }).release();
  });

  it("acquireLock(file) is exclusive within one process too", () => {
    const file = join(tmp(), ".lock");
    const lock = acquireLock(file, "a");
    expect(() => acquireLock(file, "b")).toThrow(LockedError);
    lock.release();
    lock.release();
    acquireLock(file, "b").release();
  });

  it("openRunForWrite refuses a folder of files it did not make unless forced, and never reads out of the run", () => {
    const dir = tmp();
    writeFileSync(join(dir, "thesis.tex"), "mine");
    expect(() => openRunForWrite(dir, { command: "analyze" })).toThrow(/is not a featurelens run but holds 1 file\(s\) \(thesis\.tex\)/);
    expect(existsSync(join(dir, ".lock"))).toBe(false);
    const run = openRunForWrite(dir, { command: "analyze", force: true });
    expect(readFileSync(join(dir, "thesis.tex"), "utf8")).toBe("mine");
    expect(() => run.path("../escape")).toThrow(/leads out of the run folder/);
    expect(() => run.path("/etc/passwd")).toThrow(/leads out of the run folder/);
    run.release();
  });

  it("opening a run removes the temporary files a killed write left, and only those", () => {
    const dir = join(tmp(), "r");
    openRunForWrite(dir, { command: "t" }).release();
    mkdirSync(join(dir, "features"), { recursive: true });
    writeFileSync(join(dir, "predictions.parquet.tmp-1234"), "half");
    writeFileSync(join(dir, "features", "a.npy.tmp-99-abc"), "half");
    writeFileSync(join(dir, "features", "a.npy"), "whole");
    openRunForWrite(dir, { command: "t" }).release();
    expect(existsSync(join(dir, "predictions.parquet.tmp-1234"))).toBe(false);
    expect(existsSync(join(dir, "features", "a.npy.tmp-99-abc"))).toBe(false);
    expect(existsSync(join(dir, "features", "a.npy"))).toBe(true);
    expect(removeTemporaries(dir)).toBe(0);
  });

  it("ensureDomain(name) keeps a second dataset apart from the run's own results", () => {
    const run = openRunForWrite(join(tmp(), "r"), { command: "analyze" });
    const d = run.ensureDomain("fashion-mnist:train");
    expect(d).toBe("fashion-mnist-train");
    expect(run.scopePrefix(d)).toBe("domains/fashion-mnist-train/");
    expect(run.scope(d)).not.toBe(run.record);
    expect(() => run.scope("nope")).toThrow(/has no domain 'nope'; its domains: fashion-mnist-train/);
    run.release();
  });

  it("sameParams(a, b) ignores key order and undefined values", () => {
    expect(sameParams({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(sameParams({ a: 1 }, { a: 2 })).toBe(false);
  });
});

describe("run.json", () => {
  it("parseRunRecord refuses a run written by a newer featurelens, naming both versions", () => {
    const newer = { ...newRunRecord("x", "analyze", []), schema: RUN_SCHEMA_VERSION + 1, featurelens_version: "9.0.0" };
    expect(() => parseRunRecord(JSON.stringify(newer), "runs/x/run.json")).toThrow(DataError);
    expect(() => parseRunRecord(JSON.stringify(newer), "runs/x/run.json")).toThrow(new RegExp(`written by featurelens 9\\.0\\.0 .* this is featurelens ${FEATURELENS_VERSION.replace(/\./g, "\\.")}`));
  });

  it("parseRunRecord names what is wrong with a damaged record, and reads its own output back", () => {
    expect(() => parseRunRecord("[]", "f")).toThrow(/not a run record/);
    expect(() => parseRunRecord(JSON.stringify({ schema: 1, id: "x" }), "f")).toThrow(/lacks made_by, created, status, artifacts/);
    const r = newRunRecord("x", "train", ["train"], ["a"]);
    r.summary = { accuracy: Number.NaN };
    const back = parseRunRecord(formatRunRecord(r), "f");
    expect(back.summary.accuracy).toBeNull();
    expect(back.classes).toEqual(["a"]);
  });
});

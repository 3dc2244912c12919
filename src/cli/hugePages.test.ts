import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./cli.testutil.js";
import { LARGE_MEMORY_COMMANDS, relaunchWithHugePages, wantsHugePages } from "./hugePages.js";

const argv = (...words: string[]) => ["node", "featurelens", ...words];

describe("huge pages for the large-memory commands", () => {
  it("wantsHugePages(argv, env, platform) asks for them on Linux for a large-memory command, once", () => {
    expect(wantsHugePages(argv("embed", "--in", "x.npy"), {}, "linux")).toBe(true);
    expect(wantsHugePages(argv("--verbose", "analyze"), {}, "linux")).toBe(true);
    expect(wantsHugePages(argv("runs"), {}, "linux")).toBe(false); // light: a second start would cost more than it saves
    expect(wantsHugePages(argv(), {}, "linux")).toBe(false);
    expect(wantsHugePages(argv("embed", "--help"), {}, "linux")).toBe(false);
    expect(wantsHugePages(argv("embed"), {}, "darwin")).toBe(false);
    expect(wantsHugePages(argv("embed"), { GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" }, "linux")).toBe(false); // already relaunched
    expect(wantsHugePages(argv("embed"), { FEATURELENS_HUGE_PAGES: "0" }, "linux")).toBe(false);
    expect(LARGE_MEMORY_COMMANDS.has("train") && LARGE_MEMORY_COMMANDS.has("serve")).toBe(true);
  });

  it("relaunchWithHugePages(script, argv) runs the script with the tunable set (kept beside others) and returns its exit code", async () => {
    const dir = mkdtempSync(join(tmpdir(), "huge-"));
    const script = join(dir, "child.mjs");
    const before = process.env.GLIBC_TUNABLES;
    process.env.GLIBC_TUNABLES = "glibc.malloc.arena_max=2";
    try {
      const out = join(dir, "out.txt");
      writeFileSync(script, `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(out)}, process.env.GLIBC_TUNABLES ?? ""); process.exitCode = Number(process.argv[2]);\n`);
      expect(await relaunchWithHugePages(script, ["node", "featurelens", "3"])).toBe(3);
      expect(readFileSync(out, "utf8")).toBe("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
    } finally {
      if (before === undefined) delete process.env.GLIBC_TUNABLES;
      else process.env.GLIBC_TUNABLES = before;
    }
  });

  it("bin/featurelens.js relaunched: a user error still prints once and exits 1", () => {
    const r = runCli(["embed", "--in", join(ROOT, "no-such-features.npy"), "--out", join(mkdtempSync(join(tmpdir(), "huge-")), "m.npy")]);
    expect(r.code).toBe(1);
    expect(r.err.match(/featurelens: error: .*no-such-features\.npy/g)).toHaveLength(1);
  });

  it("bin/featurelens.js relaunched: SIGTERM to the launcher stops the command (serve) and the launcher exits", async () => {
    const ws = mkdtempSync(join(tmpdir(), "huge-ws-"));
    const p = spawn(process.execPath, [join(ROOT, "bin", "featurelens.js"), "serve", "--workspace", ws, "--port", String(20000 + Math.floor(Math.random() * 20000))], { env: { ...process.env, FEATURELENS_OFFLINE: "1" } });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr.on("data", (b: Buffer) => (out += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (/http:\/\//.test(out)) {
          clearInterval(t);
          resolve();
        }
      }, 50);
      p.on("exit", () => reject(new Error(`serve ended before it listened: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
    p.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 60_000);
});

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { imageAt } from "./dataset.js";
import { loadFolderDataset } from "./folder.js";
import { listFolder } from "./folderList.js";
import { loadDataset } from "./load.js";
import { printable } from "./printable.js";

// A hostile tree, made at test time: links to a sibling class, to `..`, to `/` and to a file
// outside, a FIFO named like an image (opening it would hang), and names holding a newline.
let tmp: string;
let root: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "featurelens-hostile-"));
  root = join(tmp, "root");
  const png = (v: number) => sharp(Buffer.from([v, v, v, v]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
  for (const dir of ["cat", "dog", "odd\nclass"]) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, "cat", "1.png"), await png(10));
  await writeFile(join(root, "cat", "new\nline.png"), await png(20));
  await writeFile(join(root, "dog", "2.png"), await png(30));
  await writeFile(join(root, "odd\nclass", "3.png"), await png(40));
  await symlink("..", join(root, "cat", "up"));
  await symlink("../dog", join(root, "cat", "dogs"));
  await symlink("/", join(root, "cat", "slash"));
  await symlink("../dog/2.png", join(root, "cat", "linked.png"));
  await writeFile(join(tmp, "outside.png"), await png(50));
  await symlink(join(tmp, "outside.png"), join(root, "dog", "outside.png"));
  execFileSync("mkfifo", [join(root, "cat", "pipe.png")]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("listFolder", () => {
  it("listFolder(root) never leaves the root, never opens a FIFO, and says what it passed over", async () => {
    const { classes, files, labels, passedOver } = await listFolder(root, [".png"]);
    expect(classes).toEqual(["cat", "dog", '"odd\\nclass"']);
    expect(files.map((f) => f.slice(root.length + 1))).toEqual(["cat/1.png", "cat/linked.png", "cat/new\nline.png", "dog/2.png", "odd\nclass/3.png"]);
    expect(labels).toEqual([0, 0, 0, 1, 2]);
    const reasons = Object.fromEntries(passedOver.map((p) => [p.path.slice(root.length + 1), p.reason]));
    expect(reasons).toEqual({
      "cat/pipe.png": "a FIFO (named pipe), not a regular file",
      "cat/dogs": `a symbolic link to a folder outside its class folder (${join(root, "dog")})`,
      "cat/slash": `a symbolic link that leads out of ${root}`,
      "cat/up": `a symbolic link to a folder outside its class folder (${root})`,
      "dog/outside.png": `a symbolic link that leads out of ${root}`,
    });
  });

  it("listFolder(root) refuses /proc and /sys as roots, naming them", async () => {
    await expect(listFolder("/proc/self", [".png"])).rejects.toThrow(
      "/proc/self: is inside /proc, a view the kernel makes of the running system, not a folder of images (expected one sub-folder of images per class, e.g. cat/1.jpg, dog/2.jpg)",
    );
    await expect(listFolder("/sys", [".png"])).rejects.toThrow(/^\/sys: is inside \/sys, a view the kernel/);
    await expect(listFolder(join(root, "cat", "pipe.png"), [".png"])).rejects.toThrow(/pipe\.png: is a FIFO \(named pipe\), not a regular file \(expected one sub-folder/);
  });

  it("listFolder(root) with no images in its class folders says so on one line, counting files and what it passed over", async () => {
    const texts = join(tmp, "texts");
    await mkdir(join(texts, "a"), { recursive: true });
    await writeFile(join(texts, "a", "notes.txt"), "x");
    execFileSync("mkfifo", [join(texts, "a", "pipe.jpg")]);
    const err = await listFolder(texts, [".jpg", ".png"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      `${texts}: holds no images (1 file, none .jpg/.png; 1 passed over, first ${join(texts, "a", "pipe.jpg")}: a FIFO (named pipe), not a regular file); ` +
        "put the images in its class sub-folders, e.g. cat/1.jpg, dog/2.jpg",
    );
  });
});

describe("loadFolderDataset on a hostile tree", () => {
  it("loadFolderDataset(root) labels only what lies in each class folder, and names stay on one line", { timeout: 20_000 }, async () => {
    const { dataset, passedOver } = await loadFolderDataset(root);
    expect(dataset.n).toBe(5);
    expect(Array.from(dataset.labels)).toEqual([0, 0, 0, 1, 2]);
    expect(Array.from({ length: 5 }, (_, i) => imageAt(dataset, i)[0])).toEqual([10, 30, 20, 30, 40]);
    expect(passedOver).toHaveLength(5);
    for (const name of [dataset.name, ...dataset.classes]) expect(name).not.toMatch(/\n/);
  });

  it("loadDataset('folder:ROOT') gives one-line notices that name what was passed over", { timeout: 20_000 }, async () => {
    const notices: string[] = [];
    const ds = await loadDataset(`folder:${root}`, { onNotice: (m) => notices.push(m) });
    expect(ds.classes).toEqual(["cat", "dog", '"odd\\nclass"']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^passed over 5 link\(s\), folder\(s\) or special file\(s\) under .*: .*pipe\.png \(a FIFO \(named pipe\), not a regular file\), .*, …$/);
    expect(notices[0]).not.toMatch(/\n/);
  });
});

describe("printable", () => {
  it("printable(name) keeps plain names and escapes control characters JSON-style", () => {
    expect(printable("cat ü 猫")).toBe("cat ü 猫");
    expect(printable("a\nb.png")).toBe('"a\\nb.png"');
    expect(printable("tab\there\u2028\u009b")).toBe('"tab\\there\\u2028\\u009b"');
  });
});

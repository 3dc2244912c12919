import { readFileSync } from "node:fs";

/** The version of featurelens that is running, from its package.json (e.g. "0.1.0"). */
export const FEATURELENS_VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * Compares two versions of the form MAJOR.MINOR.PATCH (a pre-release tail is ignored): negative
 * when a < b, 0 when equal, positive when a > b.
 * @example compareVersions("0.2.0", "0.10.1") // -8
 */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split("-")[0].split(".").map((x) => Number.parseInt(x, 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

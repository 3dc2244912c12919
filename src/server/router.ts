import { compareGet, diagnosisGet, mixedGet, shiftGet } from "./diagnoseApi.js";
import { atlasGet, atlasPageGet, imageGet } from "./imagesApi.js";
import { badRequest, HttpError, notFound } from "./http.js";
import { insideGet, insideLayerGet } from "./insideApi.js";
import { neighborsGet } from "./neighborsApi.js";
import { pointsGet, predictionsGet, predictionsPost, rowsGet } from "./predictionsApi.js";
import type { Handler } from "./reply.js";
import { runChart, runDetail, runsList } from "./runsApi.js";
import { labelFixesPost, labelIssuesGet } from "./reviewApi.js";
import { printable } from "./runStore.js";

/**
 * The API's routes (src/api/types.ts lists them with their answers), matched segment by segment
 * on the path under /api/: `:name` takes one segment, `:name.png` one ending in ".png" (the part
 * before it is the parameter). Segments are percent-decoded one by one, so an encoded '/' stays
 * inside its segment (and makes no run id).
 */

interface Route {
  method: "GET" | "POST";
  pattern: string[];
  handler: Handler;
  /** Changes a file: server.ts lets only same-origin JSON requests through (security.ts writeRefusal). */
  writes: boolean;
}

/** The routes that change files. */
const WRITES: Handler[] = [labelFixesPost];

const ROUTES: Route[] = [
  ["GET", "runs", runsList],
  ["GET", "runs/:run", runDetail],
  ["GET", "runs/:run/charts/:chart", runChart],
  ["GET", "runs/:run/points", pointsGet],
  ["GET", "runs/:run/predictions", predictionsGet],
  ["POST", "runs/:run/predictions", predictionsPost],
  ["GET", "runs/:run/rows", rowsGet],
  ["GET", "runs/:run/images/:row.png", imageGet],
  ["GET", "runs/:run/atlas", atlasGet],
  ["GET", "runs/:run/atlas/:page.png", atlasPageGet],
  ["GET", "runs/:run/neighbors/:row", neighborsGet],
  ["GET", "runs/:run/inside/:row", insideGet],
  ["GET", "runs/:run/inside/:row/:layer.png", insideLayerGet],
  ["GET", "runs/:run/diagnosis", diagnosisGet],
  ["GET", "runs/:run/diagnosis/mixed", mixedGet],
  ["GET", "runs/:run/label-issues", labelIssuesGet],
  ["POST", "runs/:run/label-issues/fixes", labelFixesPost],
  ["GET", "runs/:run/shift", shiftGet],
  ["GET", "runs/:run/compare", compareGet],
].map(([method, path, handler]) => ({ method: method as Route["method"], pattern: (path as string).split("/"), handler: handler as Handler, writes: WRITES.includes(handler as Handler) }));

/** The variable parts of `segments` if they fit `pattern`, else null. */
function match(pattern: string[], segments: string[]): string[] | null {
  if (pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const s = segments[i];
    if (!p.startsWith(":")) {
      if (p !== s) return null;
    } else if (p.endsWith(".png")) {
      if (!s.endsWith(".png") || s.length === 4) return null;
      params.push(s.slice(0, -4));
    } else {
      params.push(s);
    }
  }
  return params;
}

/**
 * The handler for `method` and the path below /api/ (still percent-encoded), with its parameters;
 * a 404 for no route, a 405 for a route that takes another method (HEAD is served as GET).
 */
export function route(method: string, encodedPath: string): { handler: Handler; params: string[]; method: Route["method"]; writes: boolean } {
  let segments: string[];
  try {
    segments = encodedPath.split("/").map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest("the path is not valid percent-encoded UTF-8");
  }
  const m = method === "HEAD" ? "GET" : method;
  const allowed: string[] = [];
  for (const r of ROUTES) {
    const params = match(r.pattern, segments);
    if (!params) continue;
    if (r.method === m) return { handler: r.handler, params, method: r.method, writes: r.writes };
    allowed.push(r.method);
  }
  if (allowed.length) throw new HttpError(405, `${method} is not allowed here (allowed: ${allowed.join(", ")})`);
  throw notFound(`no API route /api/${printable(encodedPath)} (see src/api/types.ts)`);
}

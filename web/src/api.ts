import { decodePoints, type DecodedPoints } from "../../src/api/points.js";
import type {
  AtlasInfo,
  ChartName,
  CompareResponse,
  DiagnosisResponse,
  LabelFixesSaved,
  LabelFixJson,
  LabelIssuesResponse,
  MixedRowsResponse,
  ShiftResponse,
  InsideResponse,
  NeighborsResponse,
  PredictionQuery,
  PredictionsResponse,
  RowsResponse,
  RunDetail,
  RunsResponse,
} from "../../src/api/types.js";

/**
 * The app's one way to the server: typed calls for the routes of src/api/types.ts, answers cached
 * where they cannot change while the app is open (a run's detail, its points, its atlas, charts).
 */

/** A map's points as they arrived: decoded columns, the payload's size and when it arrived. */
export interface LoadedPoints extends DecodedPoints {
  bytes: number;
  /** performance.now() when the last byte arrived. */
  arrived: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string | number | boolean | null | undefined>;

export class Api {
  private readonly cache = new Map<string, Promise<unknown>>();

  /** @param token the token of the page's URL (`?token=`), sent with every request when set. */
  constructor(
    readonly base = "api",
    readonly token: string | null = null,
  ) {}

  /** The URL of a route with its query (empty values left out), for fetch and for <img src>. */
  url(path: string, params: Params = {}): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
    if (this.token) q.set("token", this.token);
    const s = q.toString();
    return `${this.base}/${path}${s ? `?${s}` : ""}`;
  }

  runs(): Promise<RunsResponse> {
    return this.json("runs");
  }

  run(run: string, domain?: string | null): Promise<RunDetail> {
    return this.cached(`run/${run}/${domain ?? ""}`, () => this.json(`runs/${enc(run)}`, { domain }));
  }

  chart(run: string, chart: ChartName, domain?: string | null): Promise<unknown> {
    return this.cached(`chart/${run}/${chart}/${domain ?? ""}`, () => this.json(`runs/${enc(run)}/charts/${chart}`, { domain }));
  }

  points(run: string, map: string, domain?: string | null): Promise<LoadedPoints> {
    return this.cached(`points/${run}/${map}/${domain ?? ""}`, async () => {
      const res = await this.fetch(`runs/${enc(run)}/points`, { map, domain });
      const buffer = await res.arrayBuffer();
      const arrived = performance.now();
      return { ...decodePoints(buffer), bytes: buffer.byteLength, arrived };
    });
  }

  /** Predictions of a filter; with `rows`, POSTed. */
  predictions(run: string, query: PredictionQuery): Promise<PredictionsResponse> {
    if (query.rows) {
      return this.json(`runs/${enc(run)}/predictions`, {}, { method: "POST", body: JSON.stringify(query), headers: { "content-type": "application/json" } });
    }
    return this.json(`runs/${enc(run)}/predictions`, query as Params);
  }

  rows(run: string, query: Omit<PredictionQuery, "rows" | "sort" | "desc" | "limit" | "offset" | "probabilities">): Promise<RowsResponse> {
    return this.json(`runs/${enc(run)}/rows`, query as Params);
  }

  atlas(run: string, o: { domain?: string | null; size?: number } = {}): Promise<AtlasInfo> {
    return this.cached(`atlas/${run}/${o.domain ?? ""}/${o.size ?? ""}`, () => this.json(`runs/${enc(run)}/atlas`, { domain: o.domain, size: o.size }));
  }

  atlasPageUrl(run: string, page: number, o: { domain?: string | null; size?: number } = {}): string {
    return this.url(`runs/${enc(run)}/atlas/${page}.png`, { domain: o.domain, size: o.size });
  }

  imageUrl(run: string, row: number, o: { domain?: string | null; scale?: number } = {}): string {
    return this.url(`runs/${enc(run)}/images/${row}.png`, { domain: o.domain, scale: o.scale });
  }

  neighbors(run: string, row: number, o: { space: "feature" | "pixel"; k?: number; domain?: string | null }): Promise<NeighborsResponse> {
    return this.cached(`nn/${run}/${o.domain ?? ""}/${row}/${o.space}/${o.k ?? ""}`, () =>
      this.json(`runs/${enc(run)}/neighbors/${row}`, { space: o.space, k: o.k, domain: o.domain }),
    );
  }

  inside(run: string, row: number, domain?: string | null): Promise<InsideResponse> {
    return this.cached(`inside/${run}/${domain ?? ""}/${row}`, () => this.json(`runs/${enc(run)}/inside/${row}`, { domain }));
  }

  insideLayerUrl(run: string, row: number, layer: number | string, domain?: string | null): string {
    return this.url(`runs/${enc(run)}/inside/${row}/${enc(String(layer))}.png`, { domain });
  }

  diagnosis(run: string, domain?: string | null): Promise<DiagnosisResponse> {
    return this.cached(`diagnosis/${run}/${domain ?? ""}`, () => this.json(`runs/${enc(run)}/diagnosis`, { domain }));
  }

  /** The images of a mixed class pair. */
  mixed(run: string, o: { a: number; b: number; by: "neighbors" | "predictions"; domain?: string | null }): Promise<MixedRowsResponse> {
    return this.cached(`mixed/${run}/${o.domain ?? ""}/${o.a}/${o.b}/${o.by}`, () => this.json(`runs/${enc(run)}/diagnosis/mixed`, { a: o.a, b: o.b, by: o.by, domain: o.domain }));
  }

  shift(run: string): Promise<ShiftResponse> {
    return this.cached(`shift/${run}`, () => this.json(`runs/${enc(run)}/shift`));
  }

  compare(run: string): Promise<CompareResponse> {
    return this.cached(`compare/${run}`, () => this.json(`runs/${enc(run)}/compare`));
  }

  /** The review queue with the decisions saved so far (not cached: the decisions change). */
  labelIssues(run: string): Promise<LabelIssuesResponse> {
    return this.json(`runs/${enc(run)}/label-issues`);
  }

  /** Saves every decision taken so far as the run's label-fixes.csv. */
  saveLabelFixes(run: string, fixes: LabelFixJson[]): Promise<LabelFixesSaved> {
    return this.json(`runs/${enc(run)}/label-issues/fixes`, {}, { method: "POST", body: JSON.stringify({ fixes }), headers: { "content-type": "application/json" } });
  }

  private cached<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.cache.set(key, p);
      // A failed request is not remembered: the next call asks again.
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  private async json<T>(path: string, params: Params = {}, init: RequestInit = {}): Promise<T> {
    const res = await this.fetch(path, params, init);
    return (await res.json()) as T;
  }

  private async fetch(path: string, params: Params, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(this.url(path, params), init);
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: string };
        if (body.error) message = body.error;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiError(res.status, message);
    }
    return res;
  }
}

const enc = encodeURIComponent;

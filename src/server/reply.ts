import type { RunStore } from "./runStore.js";

/** What every API handler gets and returns (server.ts sends the reply). */

export interface ApiContext {
  store: RunStore;
}

export interface ApiRequest {
  url: URL;
  /** The path's variable parts, decoded (run id, row, page, …). */
  params: string[];
  /** The body of a POST (already capped). */
  body?: Buffer;
}

/** JSON, or bytes of a content type. */
export type Reply = { json: unknown } | { bytes: Uint8Array; type: string };

export type Handler = (ctx: ApiContext, req: ApiRequest) => Promise<Reply>;

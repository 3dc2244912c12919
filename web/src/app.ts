import type { RunsResponse } from "../../src/api/types.js";
import type { Api } from "./api.js";
import type { AppState } from "./state.js";

/** What every view gets: the server, the state (the URL) and the way to change it. */
export interface App {
  readonly api: Api;
  readonly state: AppState;
  /**
   * Changes the state and the URL: `push` adds a history entry (a new view, a new image), else the
   * current entry is replaced (a colouring, a selection), so Back goes to the previous place.
   */
  go(change: Partial<AppState>, o?: { push?: boolean }): void;
  runs(): Promise<RunsResponse>;
}

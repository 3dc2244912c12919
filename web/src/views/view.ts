import type { AppState } from "../state.js";

/** A screen of the app: it follows the state and may answer keys of its own. */
export interface View {
  readonly element: HTMLElement;
  /** Shows the state; called on every change of it (a view compares and does only what changed). */
  update(s: AppState): Promise<void> | void;
  /** A key the global shortcuts did not take; true when the view used it. */
  key?(e: KeyboardEvent): boolean;
  /** Number keys go to the view (the review's classes) instead of switching views. */
  readonly ownsDigits?: boolean;
  /** The view is taken off the page (it may be shown again later). */
  hide?(): void;
}

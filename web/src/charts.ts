import type { Result, VisualizationSpec } from "vega-embed";

/**
 * Vega-Lite charts, drawn by vega-embed from the very specs the PNG report uses (the server sends
 * them). vega-embed, Vega and Vega-Lite load on first use, in their own chunk, so the map's first
 * frame does not wait for them.
 */

let loading: Promise<typeof import("vega-embed")> | null = null;

/** Draws `spec` into `el` (as SVG, no action menu). Vega's tooltips show the spec's tooltip fields. */
export async function chart(el: HTMLElement, spec: unknown): Promise<Result> {
  loading ??= import("vega-embed");
  const { default: embed } = await loading;
  return embed(el, spec as VisualizationSpec, { actions: false, renderer: "svg", tooltip: { theme: "light" } });
}

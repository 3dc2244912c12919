import { historySpec } from "../charts/history.js";
import { chart, esc, figure, int, note, num, pct, table } from "./html.js";
import type { RunView, Section } from "./types.js";

/**
 * "How did training go?": loss and accuracy per epoch (the chart `train` writes as history.png),
 * the epochs as a table, and the settings it was trained with. Only for runs trained here.
 */

/** The training settings worth a reader's eye, as "name value" pairs. */
export function trainingSettings(config: Record<string, unknown>): [string, string][] {
  const t = (config.train ?? {}) as Record<string, unknown>;
  const keys = ["arch", "data", "limit", "epochs", "batch", "optimizer", "lr", "schedule", "weight_decay", "label_smoothing", "val", "freeze", "fine_tune", "seed"];
  const shown = keys.filter((k) => t[k] !== undefined && t[k] !== null && t[k] !== false && t[k] !== 0).map((k): [string, string] => [k, typeof t[k] === "object" ? JSON.stringify(t[k]) : String(t[k])]);
  if (config.best_epoch !== undefined) shown.push(["best epoch", String(config.best_epoch)]);
  if (config.stopped_early) shown.push(["stopped early", "yes"]);
  return shown;
}

export async function trainingSection(run: RunView): Promise<Section | null> {
  if (run.history === null) return null;
  const id = "training";
  const title = "How did training go?";
  if (!("value" in run.history)) return { id, title, html: note(`no training history: ${run.history.missing}`) };
  const h = run.history.value;
  if (h.length === 0) return { id, title, html: note("the training history holds no epoch") };
  const last = h.at(-1)!;
  const spec = historySpec({ history: h, title: `Training ${run.model} on ${String((run.record.config.train as { data?: string } | undefined)?.data ?? "its data")}` });
  const rows = h.map((e) => [int(e.epoch), num(e.train_loss), pct(e.train_accuracy), num(e.val_loss), pct(e.val_accuracy)]);
  const settings = trainingSettings(run.record.config);
  const lead = `<p class="lead">${int(h.length)} epoch${h.length === 1 ? "" : "s"}; at the last, training loss ${num(last.train_loss)} and accuracy ${pct(last.train_accuracy)}${last.val_accuracy !== null ? `, validation accuracy ${pct(last.val_accuracy)}` : ""}.${last.val_loss !== null && last.val_loss < last.train_loss ? " Validation loss is below the training loss, which is usual early on (training loss is averaged over the epoch, with dropout on)." : ""}</p>`;
  return {
    id,
    title,
    html: [
      lead,
      '<div class="figures">',
      figure(await chart(spec, "training history", `${id}-history`)),
      `<div>${table(["epoch", "train loss", "train accuracy", "validation loss", "validation accuracy"], rows, { numeric: [true, true, true, true, true] })}`,
      settings.length ? `<dl class="facts">${settings.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>` : "",
      "</div></div>",
    ].join(""),
  };
}

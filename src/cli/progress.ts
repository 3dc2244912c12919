import cliProgress from "cli-progress";

/** A progress display for one long job. */
export interface Progress {
  /** Sets how much is done (and, when it becomes known, the total). */
  update(done: number, total?: number): void;
  /** Ends the display; safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is being done, e.g. "decoding". */
  label: string;
  total?: number;
  /** "images", "MB", … shown after the counts. */
  unit?: string;
  /** Where to draw (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Show nothing for jobs shorter than this (ms). */
  delayMs?: number;
}

export const PROGRESS_DEFAULTS = { delayMs: 1000, unit: "", plainEveryMs: 5000 } as const;

/**
 * A progress bar on stderr that appears once a job has run for a second. Off a terminal (CI logs,
 * a notebook, a file) it prints a plain line every few seconds instead —
 * "featurelens: t-SNE 350/1000 iterations (35%), 1m 20s so far" — so long work is never silent.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const delayMs = options.delayMs ?? PROGRESS_DEFAULTS.delayMs;
  const unit = options.unit ?? PROGRESS_DEFAULTS.unit;
  const started = Date.now();
  let total = options.total ?? 0;
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  let lastPlain = started;
  return {
    update(done, newTotal) {
      if (stopped) return;
      if (newTotal !== undefined) total = newTotal;
      if (!stream.isTTY) {
        const now = Date.now();
        if (now - lastPlain >= plainEveryMs()) {
          lastPlain = now;
          stream.write(`featurelens: ${plainLine(options.label, done, total, unit, now - started)}\n`);
        }
        return;
      }
      if (!bar) {
        if (Date.now() - started < delayMs) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${options.label.padEnd(12)} {bar} {percentage}% | {value}/{total}${unit ? ` ${unit}` : ""} | {eta_formatted} left`,
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      if (newTotal !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}

/** Wraps the `(label, done, total)` callbacks of the library in one bar per label. */
export function progressByLabel(unit?: string): { onProgress: (label: string, done: number, total?: number) => void; stop: () => void } {
  const bars = new Map<string, Progress>();
  return {
    onProgress(label, done, total) {
      let p = bars.get(label);
      if (!p) bars.set(label, (p = createProgress({ label, total, ...(unit ? { unit } : {}) })));
      p.update(done, total);
      if (total !== undefined && done >= total) p.stop();
    },
    stop() {
      for (const p of bars.values()) p.stop();
    },
  };
}

/**
 * One progress line for logs.
 * @example plainLine("t-SNE", 350, 1000, "iterations", 80_000) // "t-SNE 350/1000 iterations (35%), 1m 20s so far"
 */
export function plainLine(label: string, done: number, total: number, unit: string, elapsedMs: number): string {
  const s = Math.round(elapsedMs / 1000);
  const time = s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
  const of = total > 0 ? `${done}/${total}${unit ? ` ${unit}` : ""} (${Math.floor((100 * done) / total)}%)` : `${done}${unit ? ` ${unit}` : ""}`;
  return `${label} ${of}, ${time} so far`;
}

/** How often a plain progress line is printed off a terminal: $FEATURELENS_PROGRESS_EVERY_MS, else every 5 s. */
function plainEveryMs(): number {
  const v = Number(process.env.FEATURELENS_PROGRESS_EVERY_MS);
  return Number.isFinite(v) && v > 0 ? v : PROGRESS_DEFAULTS.plainEveryMs;
}

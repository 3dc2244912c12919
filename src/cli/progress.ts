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

export const PROGRESS_DEFAULTS = { delayMs: 1000, unit: "" } as const;

/**
 * A progress bar on stderr that appears only once a job has run for a second, and only on a
 * terminal; elsewhere (CI logs, pipes) it prints nothing, so output stays clean.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const delayMs = options.delayMs ?? PROGRESS_DEFAULTS.delayMs;
  const unit = options.unit ?? PROGRESS_DEFAULTS.unit;
  const started = Date.now();
  let total = options.total ?? 0;
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  return {
    update(done, newTotal) {
      if (stopped) return;
      if (newTotal !== undefined) total = newTotal;
      if (!bar) {
        if (!stream.isTTY || Date.now() - started < delayMs) return;
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

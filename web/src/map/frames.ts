import type { Regl } from "regl";

/**
 * Frames on demand. regl-scatterplot draws from `regl.frame`, an animation-frame loop that runs as
 * long as the page is open (it checks a "needs drawing" flag 60 times a second). Here `regl.frame`
 * is replaced, before the scatterplot's renderer asks for it, by a loop that runs only after
 * something woke it — input on the map, or a call that changes what is drawn — and stops once
 * a few frames in a row drew nothing, so an idle map costs no CPU.
 */
export interface FrameLoop {
  /** Runs frames until the map is idle again. */
  wake(): void;
  /** Marks the current frame as one that drew (the scatterplot's "drawing" event). */
  drew(): void;
  /** Frames run since the loop was made (for tests and the benchmark). */
  readonly frames: number;
  /**
   * The latest frames that drew (up to {@link KEEP_TIMES}): when each started (performance.now())
   * and how long its work took on the main thread, in ms — the benchmark reads and clears them.
   */
  readonly times: { at: number[]; work: number[] };
  readonly running: boolean;
  destroy(): void;
}

/** Frames without drawing before the loop stops: long enough for the camera to settle after input. */
const IDLE_FRAMES = 8;
const KEEP_TIMES = 600;

export function onDemandFrames(regl: Regl): FrameLoop {
  const callbacks: (() => void)[] = [];
  let raf = 0;
  let idle = 0;
  let drewThisFrame = false;
  let frames = 0;
  let destroyed = false;
  const times = { at: [] as number[], work: [] as number[] };

  const tick = () => {
    raf = 0;
    if (destroyed) return;
    frames++;
    drewThisFrame = false;
    const t0 = performance.now();
    regl.poll();
    for (const cb of [...callbacks]) cb();
    if (drewThisFrame) {
      if (times.at.length >= KEEP_TIMES) {
        times.at.shift();
        times.work.shift();
      }
      times.at.push(t0);
      times.work.push(performance.now() - t0);
    }
    idle = drewThisFrame ? 0 : idle + 1;
    if (idle < IDLE_FRAMES) raf = requestAnimationFrame(tick);
  };

  const loop: FrameLoop = {
    wake() {
      idle = 0;
      if (!raf && !destroyed) raf = requestAnimationFrame(tick);
    },
    drew() {
      drewThisFrame = true;
    },
    get frames() {
      return frames;
    },
    get running() {
      return raf !== 0;
    },
    times,
    destroy() {
      destroyed = true;
      if (raf) cancelAnimationFrame(raf);
      raf = 0;
    },
  };

  (regl as { frame: unknown }).frame = (cb: () => void) => {
    callbacks.push(cb);
    loop.wake();
    return {
      cancel() {
        const i = callbacks.indexOf(cb);
        if (i >= 0) callbacks.splice(i, 1);
      },
    };
  };
  return loop;
}

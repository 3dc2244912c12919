import type { Regl } from "regl";
import type { createRenderer } from "regl-scatterplot";

/**
 * A lean renderer for regl-scatterplot: the points are drawn straight into the WebGL canvas the
 * page shows. regl-scatterplot's own renderer draws them into a float framebuffer, passes that
 * through a gamma shader into a hidden WebGL canvas, and copies that canvas into a 2-D canvas on
 * the page — three passes over every pixel a frame, which on a software GPU (SwiftShader) cost
 * more than the points themselves (~100 ms a frame at 1000 × 780 px, whatever the number of
 * points). Blending straight into the canvas gives the same picture (the points' blend function
 * leaves premultiplied colour over the transparent clear, as the browser composites it); what is
 * lost is the float framebuffer's precision when thousands of faint points pile up, which this
 * app does not draw. The interface is the one regl-scatterplot uses (its `Renderer`).
 */
export type Renderer = ReturnType<typeof createRenderer>;

export function leanRenderer(regl: Regl, canvas: HTMLCanvasElement): Renderer {
  const draws = new Set<() => void>();
  let destroyed = false;
  const frame = regl.frame(() => {
    for (const draw of draws) draw();
  });
  return {
    get canvas() {
      return canvas;
    },
    get regl() {
      return regl;
    },
    gamma: 1,
    get isSupported() {
      return true;
    },
    get isDestroyed() {
      return destroyed;
    },
    render(draw: () => unknown) {
      regl.clear({ color: [0, 0, 0, 0], depth: 1 });
      draw();
    },
    resize(width: number, height: number) {
      canvas.width = Math.round(width * devicePixelRatio);
      canvas.height = Math.round(height * devicePixelRatio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    },
    onFrame(draw: () => void) {
      draws.add(draw);
      return () => void draws.delete(draw);
    },
    refresh() {
      regl.poll();
    },
    destroy() {
      destroyed = true;
      frame.cancel();
      regl.destroy();
    },
  };
}

import { API_LIMITS, type AtlasInfo } from "../../src/api/types.js";
import type { Api } from "./api.js";

/**
 * Thumbnails cut from the atlas pages (GET /atlas/:page.png): each one a CSS sprite — the page as
 * the background of a small box, shifted to the image's cell — so that a grid of hundreds of
 * images costs one PNG per 4,096 images and no canvas work.
 */
export class Thumbs {
  private constructor(
    private readonly api: Api,
    private readonly run: string,
    private readonly domain: string | null,
    readonly info: AtlasInfo,
  ) {}

  /** The atlas of a run (or a domain) at the smallest size that holds an image of `imageSide` pixels. */
  static async open(api: Api, run: string, domain: string | null, imageSide: number): Promise<Thumbs> {
    const size = API_LIMITS.atlasSizes.find((s) => s >= imageSide) ?? API_LIMITS.atlasSizes[API_LIMITS.atlasSizes.length - 1];
    const info = await api.atlas(run, { domain, size });
    return new Thumbs(api, run, domain, info);
  }

  /** A box of `side` CSS pixels showing row `row`. */
  element(row: number, side: number, className = "thumb"): HTMLDivElement {
    const el = document.createElement("div");
    el.className = className;
    this.paint(el, row, side);
    return el;
  }

  /** Points an existing box at row `row`. */
  paint(el: HTMLElement, row: number, side: number): void {
    const { perRow, perPage, size } = this.info;
    const page = Math.floor(row / perPage);
    const at = row % perPage;
    const col = at % perRow;
    const line = Math.floor(at / perRow);
    const scale = side / size;
    el.style.width = `${side}px`;
    el.style.height = `${side}px`;
    el.style.backgroundImage = `url("${this.api.atlasPageUrl(this.run, page, { domain: this.domain, size })}")`;
    el.style.backgroundSize = `${perRow * size * scale}px auto`;
    el.style.backgroundPosition = `${-col * side}px ${-line * side}px`;
    el.style.imageRendering = scale >= 1.5 ? "pixelated" : "auto";
    el.dataset.row = String(row);
  }
}

import { encodePng } from "../raster.js";
import { renderGradCamPicture } from "../gradcamPicture.js";
import { esc, figure, note, pngImg } from "./html.js";
import type { InspectedView, RunView } from "./types.js";

/**
 * Grad-CAM and saliency of an inspected image in "What does each layer see?": where the last conv
 * layer looks for the class the model predicts (Selvaraju et al. 2017), and which pixels would
 * change its logit most (Simonyan et al. 2014), each over the image in grey.
 */
export async function gradCamFigures(run: RunView, v: InspectedView): Promise<string> {
  if (!v.gradcam) return "";
  if (!("value" in v.gradcam)) return note(v.gradcam.missing);
  const d = run.record.data;
  if (!d) return "";
  const { layer, why, map } = v.gradcam.value;
  const name = run.record.classes[map.classIndex] ?? String(map.classIndex);
  const image = { height: d.height, width: d.width, channels: d.channels, pixels: v.pixels };
  const about = `image #${v.inspection.index}, logit of ${name} ${map.logit.toFixed(2)}`;
  const cam = await encodePng(renderGradCamPicture({ image, map, kind: "gradcam", title: `Grad-CAM for ${name}`, notes: [`${layer} (${why})`, about] }));
  const sal = await encodePng(renderGradCamPicture({ image, map, kind: "saliency", title: `Saliency for ${name}`, notes: ["max over channels of |d logit / d pixel|", about] }));
  return [
    `<p class="explain">Where does it look? Grad-CAM weighs the maps of ${esc(layer)} by how much each raises the logit of ${esc(name)} (its predicted class); the saliency map shows the pixels that change that logit most.</p>`,
    `<div class="figures">${figure(pngImg(cam, `Grad-CAM of ${layer} for ${name}`))}${figure(pngImg(sal, `saliency for ${name}`))}</div>`,
  ].join("");
}

/**
 * Renders Vega-Lite specs to SVG (svg.ts: vega's headless "none" renderer) and SVG to PNG (resvg, system
 * fonts; DejaVu Sans by default). No network access and no browser needed.
 */
import { Resvg } from "@resvg/resvg-js";

export { renderSvg } from "./svg.js";

/** PNG bytes of an SVG (scale 1.5 for legibility). */
export function svgToPng(svg: string, scale = 1.5): Uint8Array {
  const r = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    background: "white",
  });
  return r.render().asPng();
}

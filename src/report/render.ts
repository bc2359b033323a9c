/**
 * Renders Vega-Lite specs to SVG (svg.ts: vega's headless "none" renderer) and SVG to PNG (resvg, system
 * fonts; DejaVu Sans by default). No network access and no browser needed.
 */
import { Resvg, type ResvgRenderOptions, renderAsync } from "@resvg/resvg-js";

export { renderSvg } from "./svg.js";

const pngOptions = (scale: number): ResvgRenderOptions => ({
  fitTo: { mode: "zoom", value: scale },
  font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  background: "white",
});

/** PNG bytes of an SVG (scale 1.5 for legibility). */
export function svgToPng(svg: string, scale = 1.5): Uint8Array {
  return new Resvg(svg, pngOptions(scale)).render().asPng();
}

/**
 * The same PNG bytes, rendered on libuv's thread pool: the main thread goes on (e.g. laying out the next figure
 * with vega) while the font loading and rasterising run on the other core.
 */
export async function svgToPngAsync(svg: string, scale = 1.5): Promise<Uint8Array> {
  return (await renderAsync(svg, pngOptions(scale))).asPng();
}

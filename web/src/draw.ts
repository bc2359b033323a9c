/**
 * The particle view on a canvas: the Fokker–Planck density (viridis, colour-blind safe) under loss contours,
 * with the particle cloud of one dynamics on top. 2-D: density image + contour lines + dots. 1-D: the loss curve,
 * the density curve and a histogram of the particles. Drawing does not allocate per particle.
 */
import type { CloudView, LandscapeView } from "./live.js";

/** Okabe–Ito colours (colour-blind safe). */
export const COLORS = {
  sgd: "#D55E00",
  second: "#0072B2",
  pde: "#000000",
  basins: ["#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999"],
};

const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
function viridis(t: number, out: Uint8ClampedArray, k: number) {
  const u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  for (let c = 0; c < 3; c++) out[k + c] = VIRIDIS[i][c] * (1 - f) + VIRIDIS[i + 1][c] * f;
}

/** Plot margins (CSS pixels) leaving room for labelled axes. */
export const MARGIN = { left: 46, right: 8, top: 8, bottom: 38 };

export interface Frame {
  land: LandscapeView;
  clouds: CloudView | null;
  /**
   * Positions to draw instead of the clouds' frame (particle-major, x fastest; NaN = diverged): the streamed
   * clouds of bench.html. The density is then the clouds' (if any) or none.
   */
  positions?: Float32Array;
  which: "sgd" | "second";
  frame: number;
  start: number[];
  title: string;
}

/** Maps problem coordinates to canvas pixels and back for a canvas of CSS size w×h. */
export function mapping(land: LandscapeView, w: number, h: number) {
  const [x0, x1] = land.domain[0];
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const [y0, y1] = land.dim === 2 ? land.domain[1] : [0, 1];
  return {
    pw,
    ph,
    px: (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * pw,
    py: (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * ph,
    inv: (cx: number, cy: number) => [
      x0 + ((cx - MARGIN.left) / pw) * (x1 - x0),
      y0 + (1 - (cy - MARGIN.top) / ph) * (y1 - y0),
    ],
  };
}

/** Offscreen images reused between frames (one per canvas). */
export class CloudCanvas {
  private density: HTMLCanvasElement = document.createElement("canvas");
  private contours: HTMLCanvasElement = document.createElement("canvas");
  private contoursFor: LandscapeView | null = null;
  private bins = new Float64Array(0);
  /** Particle layer: a pixel buffer written directly (one store per pixel, no path per particle). */
  private dots: HTMLCanvasElement = document.createElement("canvas");
  private dotsImg: ImageData | null = null;
  private densityImg: ImageData | null = null;
  /** The density array the density image shows (redrawn only when it changes). */
  private densityOf: Float32Array | null | undefined = undefined;
  private dotsBuf = new Uint32Array(0);
  constructor(readonly canvas: HTMLCanvasElement) {}

  /** Resizes the backing store to the element's CSS size × devicePixelRatio. */
  private fit(): { w: number; h: number; ctx: CanvasRenderingContext2D } {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.round(r.width));
    const h = Math.max(160, Math.round(r.height));
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.canvas.getContext("2d") as CanvasRenderingContext2D;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { w, h, ctx };
  }

  draw(f: Frame): void {
    const { w, h, ctx } = this.fit();
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    if (f.land.dim === 2) this.draw2d(ctx, w, h, f);
    else this.draw1d(ctx, w, h, f);
    axes(ctx, w, h, f);
  }

  private contourImage(land: LandscapeView, pw: number, ph: number): HTMLCanvasElement {
    if (this.contoursFor === land && this.contours.width === pw && this.contours.height === ph)
      return this.contours;
    const [nx, ny] = land.shape;
    this.contours.width = pw;
    this.contours.height = ph;
    const cx = this.contours.getContext("2d") as CanvasRenderingContext2D;
    const img = cx.createImageData(pw, ph);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of land.loss) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    // 14 levels between the lowest value and the 60% quantile of the range (the wells, not the walls)
    const top = lo + 0.6 * (hi - lo);
    const step = (top - lo) / 14;
    const level = new Int32Array(pw * ph);
    for (let j = 0; j < ph; j++) {
      const gy = (1 - j / (ph - 1)) * (ny - 1);
      const y0 = Math.min(ny - 2, Math.floor(gy));
      const fy = gy - y0;
      for (let i = 0; i < pw; i++) {
        const gx = (i / (pw - 1)) * (nx - 1);
        const x0 = Math.min(nx - 2, Math.floor(gx));
        const fx = gx - x0;
        const a = land.loss[y0 * nx + x0];
        const b = land.loss[y0 * nx + x0 + 1];
        const c = land.loss[(y0 + 1) * nx + x0];
        const d = land.loss[(y0 + 1) * nx + x0 + 1];
        const v = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
        level[j * pw + i] = v > top ? 15 : Math.floor((v - lo) / step);
      }
    }
    for (let j = 1; j < ph; j++)
      for (let i = 1; i < pw; i++) {
        const k = j * pw + i;
        if (level[k] !== level[k - 1] || level[k] !== level[k - pw]) {
          img.data[4 * k] = 255;
          img.data[4 * k + 1] = 255;
          img.data[4 * k + 2] = 255;
          img.data[4 * k + 3] = 150;
        }
      }
    cx.putImageData(img, 0, 0);
    this.contoursFor = land;
    return this.contours;
  }

  private draw2d(ctx: CanvasRenderingContext2D, w: number, h: number, f: Frame) {
    const m = mapping(f.land, w, h);
    const [nx, ny] = f.land.shape;
    const c = f.clouds;
    // density image at grid resolution, scaled by the browser (bilinear)
    // (re)size only when the grid changes: setting a canvas's width reallocates and clears it
    if (this.density.width !== nx || this.density.height !== ny || !this.densityImg) {
      this.density.width = nx;
      this.density.height = ny;
      this.densityImg = new ImageData(nx, ny);
      this.densityOf = undefined;
    }
    const img = this.densityImg;
    const p = c ? (c.density[Math.min(f.frame, c.density.length - 1)] ?? null) : null;
    if (p !== this.densityOf) {
      let max = 0;
      if (p) for (const v of p) max = Math.max(max, v);
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          const k = 4 * ((ny - 1 - j) * nx + i);
          viridis(p && max > 0 ? Math.sqrt(p[j * nx + i] / max) : 0, img.data, k);
          img.data[k + 3] = 255;
        }
      (this.density.getContext("2d") as CanvasRenderingContext2D).putImageData(img, 0, 0);
      this.densityOf = p;
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.density, MARGIN.left, MARGIN.top, m.pw, m.ph);
    ctx.drawImage(
      this.contourImage(f.land, Math.round(m.pw), Math.round(m.ph)),
      MARGIN.left,
      MARGIN.top,
      m.pw,
      m.ph,
    );
    if (f.positions) this.drawDots(ctx, f, f.positions, 0, f.positions.length / 2, m.pw, m.ph);
    else if (c) {
      const n = c.particles;
      const base = Math.min(f.frame, c.times.length - 1) * n * 2;
      this.drawDots(ctx, f, f.which === "sgd" ? c.sgd : c.second, base, n, m.pw, m.ph);
    }
    marker(ctx, m.px(f.start[0]), m.py(f.start[1]));
  }

  /** 2×2-pixel dots of one frame's particles into the pixel buffer, composited over the density. */
  private drawDots(
    ctx: CanvasRenderingContext2D,
    f: Frame,
    pos: Float32Array,
    base: number,
    n: number,
    pw: number,
    ph: number,
  ): void {
    const W = Math.round(pw);
    const H = Math.round(ph);
    if (!this.dotsImg || this.dotsImg.width !== W || this.dotsImg.height !== H) {
      this.dots.width = W;
      this.dots.height = H;
      this.dotsImg = new ImageData(W, H);
      this.dotsBuf = new Uint32Array(this.dotsImg.data.buffer);
    }
    const buf = this.dotsBuf;
    buf.fill(0);
    // RGBA bytes in memory order (little-endian Uint32: 0xAABBGGRR); SGD vermillion, the other sky blue
    const col = f.which === "sgd" ? 0xff005ed5 : 0xffe9b456;
    const [x0, x1] = f.land.domain[0];
    const [y0, y1] = f.land.domain[1];
    const sx = W / (x1 - x0);
    const sy = H / (y1 - y0);
    for (let j = 0; j < n; j++) {
      const ix = Math.floor((pos[base + 2 * j] - x0) * sx);
      const iy = Math.floor((y1 - pos[base + 2 * j + 1]) * sy);
      // NaN (diverged) fails both tests
      if (!(ix >= 0 && ix < W - 1 && iy >= 0 && iy < H - 1)) continue;
      const k = iy * W + ix;
      buf[k] = col;
      buf[k + 1] = col;
      buf[k + W] = col;
      buf[k + W + 1] = col;
    }
    (this.dots.getContext("2d") as CanvasRenderingContext2D).putImageData(this.dotsImg, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.dots, MARGIN.left, MARGIN.top, pw, ph);
    ctx.imageSmoothingEnabled = true;
  }

  private draw1d(ctx: CanvasRenderingContext2D, w: number, h: number, f: Frame) {
    const m = mapping(f.land, w, h);
    const land = f.land;
    const n = land.shape[0];
    const [x0, x1] = land.domain[0];
    const xs = (i: number) => x0 + ((x1 - x0) * i) / (n - 1);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of land.loss) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const c = f.clouds;
    // particle histogram (density per unit x), 60 bins
    const nbins = 60;
    if (this.bins.length !== nbins) this.bins = new Float64Array(nbins);
    this.bins.fill(0);
    let ymax = 0;
    const width = (x1 - x0) / nbins;
    if (c) {
      const pos = f.which === "sgd" ? c.sgd : c.second;
      const np = c.particles;
      const base = Math.min(f.frame, c.times.length - 1) * np;
      for (let j = 0; j < np; j++) {
        const x = pos[base + j];
        if (!Number.isNaN(x) && x >= x0 && x <= x1)
          this.bins[Math.min(nbins - 1, Math.floor((x - x0) / width))]++;
      }
      for (let b = 0; b < nbins; b++) this.bins[b] /= np * width;
      for (const v of this.bins) ymax = Math.max(ymax, v);
    }
    const p = c ? c.density[Math.min(f.frame, c.density.length - 1)] : null;
    const hgrid = (x1 - x0) / (n - 1);
    const dens = (i: number) => (p ? p[i] / (i === 0 || i === n - 1 ? hgrid / 2 : hgrid) : 0);
    if (p) for (let i = 0; i < n; i++) ymax = Math.max(ymax, dens(i));
    ymax = ymax > 0 ? ymax * 1.05 : 1;
    const py = (v: number) => MARGIN.top + (1 - v / ymax) * m.ph;
    // loss curve, scaled into the panel (right axis in words: the caption says so)
    ctx.strokeStyle = "#888";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const y = MARGIN.top + (1 - (land.loss[i] - lo) / (hi - lo || 1)) * m.ph;
      if (i === 0) ctx.moveTo(m.px(xs(i)), y);
      else ctx.lineTo(m.px(xs(i)), y);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (c) {
      ctx.fillStyle = f.which === "sgd" ? "rgba(213,94,0,0.55)" : "rgba(0,114,178,0.5)";
      for (let b = 0; b < nbins; b++) {
        const xa = m.px(x0 + b * width);
        const xb = m.px(x0 + (b + 1) * width);
        ctx.fillRect(xa, py(this.bins[b]), xb - xa - 0.5, MARGIN.top + m.ph - py(this.bins[b]));
      }
    }
    if (p) {
      ctx.strokeStyle = COLORS.pde;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (i === 0) ctx.moveTo(m.px(xs(i)), py(dens(i)));
        else ctx.lineTo(m.px(xs(i)), py(dens(i)));
      }
      ctx.stroke();
    }
    // y ticks for the density
    ctx.fillStyle = "#222";
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    for (const t of [0, 0.5, 1]) {
      const v = t * ymax;
      ctx.fillText(v.toPrecision(2), MARGIN.left - 4, py(v) + 4);
    }
    marker(ctx, m.px(f.start[0]), MARGIN.top + m.ph - 6);
  }
}

function marker(ctx: CanvasRenderingContext2D, x: number, y: number) {
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

/** Axes with ticks and labels (units: the problem's coordinates). */
function axes(ctx: CanvasRenderingContext2D, w: number, h: number, f: Frame) {
  const m = mapping(f.land, w, h);
  const [x0, x1] = f.land.domain[0];
  ctx.strokeStyle = "#222";
  ctx.lineWidth = 1;
  ctx.strokeRect(MARGIN.left, MARGIN.top, m.pw, m.ph);
  ctx.fillStyle = "#222";
  ctx.font = "11px sans-serif";
  ctx.textAlign = "center";
  for (const t of ticks(x0, x1)) {
    ctx.fillText(fmtTick(t), m.px(t), MARGIN.top + m.ph + 13);
  }
  ctx.font = "12px sans-serif";
  ctx.fillText(`${f.land.varNames[0]} (parameter)`, MARGIN.left + m.pw / 2, h - 6);
  ctx.save();
  ctx.translate(12, MARGIN.top + m.ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(f.land.dim === 2 ? `${f.land.varNames[1]} (parameter)` : "density (1/unit of x)", 0, 0);
  ctx.restore();
  if (f.land.dim === 2) {
    const [y0, y1] = f.land.domain[1];
    ctx.font = "11px sans-serif";
    ctx.textAlign = "right";
    for (const t of ticks(y0, y1)) ctx.fillText(fmtTick(t), MARGIN.left - 4, m.py(t) + 4);
  }
  ctx.textAlign = "left";
  ctx.font = "bold 12px sans-serif";
  ctx.fillStyle = f.land.dim === 2 ? "#fff" : "#222";
  ctx.fillText(f.title, MARGIN.left + 6, MARGIN.top + 15);
}

/** 1-2-5 ticks. */
export function ticks(a: number, b: number, n = 6): number[] {
  const span = b - a;
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => span / s <= n) ?? 10 * p;
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b + 1e-9 * span; t += step)
    out.push(Math.abs(t) < 1e-12 ? 0 : t);
  return out;
}
export const fmtTick = (t: number) => String(Number(t.toPrecision(4)));

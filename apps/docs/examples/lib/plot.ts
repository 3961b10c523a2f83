// Small SVG charts for the guides: density heat maps, scatter plots, histograms and line
// charts laid out side by side in one figure. Every chart has axes with tick marks and
// round-numbered tick labels; a heat map has a colour bar saying what its colour means.
// Each heat-map cell covers exactly its bin (shared edges, crisp rendering). No
// dependencies, deterministic output.
import { type Tensor, noGrad, tensor } from '@eddy/core';

/** A rectangle of the plane: `[xMin, xMax, yMin, yMax]`. */
export type Box = readonly [number, number, number, number];

/** One chart of a figure, drawn into a `size × size` square at the origin. */
export interface Panel {
  /** Title above the chart. */
  title: string;
  /** SVG elements of the chart, in the square `[0, size]²`. */
  draw(size: number): string;
  /** The height the chart uses of its square, when less than `size` (the figure is cut to its tallest panel). */
  height?(size: number): number;
}

/** A named line of a line chart. */
export interface Series {
  /** Legend entry. */
  name: string;
  /** y values at x = 1, 2, .... */
  values: readonly number[];
  /** Stroke colour. */
  color: string;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  /** The region the grid covers (axes in its units); default: the box given to {@link histogram2d} or {@link densityGrid}. */
  box?: Box;
  /** What the colour means, written by the colour bar; default `count` for {@link histogram2d}, `density` for {@link densityGrid}. */
  label?: string;
  /** Colour scale: `sqrt` (default; shows the tails) or `linear`. */
  scale?: 'sqrt' | 'linear';
  /** x-axis label (default `x₁`). */
  xLabel?: string;
  /** y-axis label (default `x₂`). */
  yLabel?: string;
}

/** Options of {@link scatter}. */
export interface ScatterOptions {
  /** Dot colour (default a dark blue). */
  color?: string;
  /** Dot radius in pixels (default 1.2). */
  radius?: number;
  /** At most this many points are drawn, the first ones (default 5000). */
  max?: number;
  /** x-axis label (default `x₁`). */
  xLabel?: string;
  /** y-axis label (default `x₂`). */
  yLabel?: string;
}

/** Options of {@link histogram}. */
export interface HistogramOptions {
  /** Number of bars (default 30). */
  bins?: number;
  /** `[lo, hi]` of the bars (default the values' range). */
  range?: readonly [number, number];
  /** x-axis label (default none). */
  xLabel?: string;
  /** Bar colour (default a dark blue). */
  color?: string;
}

// Stops of the viridis colour map, from low to high.
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
] as const;

function colour(v: number): string {
  const t = Math.min(1, Math.max(0, v)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t));
  const f = t - i;
  const a = VIRIDIS[i] as readonly number[];
  const b = VIRIDIS[i + 1] as readonly number[];
  const c = a.map((ai, k) => Math.round(ai + f * ((b[k] as number) - ai)));
  return `rgb(${c.join(',')})`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A coordinate for SVG, rounded to 1/100 of a pixel. */
export const px = (v: number): string => (Math.round(v * 100) / 100).toString();

/** Round tick values (steps of 1, 2 or 5 × 10ᵏ) covering `[lo, hi]`, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new Error(`niceTicks: lo and hi must be finite (got ${lo}, ${hi})`);
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= 0.75 * raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
  return ticks;
}

/** A tick label: as many decimals as the step needs, `−` for minus. */
function tickLabel(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : Math.abs(v) || 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = Math.abs(v) < step * 1e-9 ? '0' : v.toFixed(decimals);
  return s.replace('-', '−');
}

/** The plotting area of a panel, in panel pixels, and the data range it shows. */
interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: readonly [number, number];
  y: readonly [number, number];
}

const toX = (f: Frame, v: number) => f.left + ((v - f.x[0]) / (f.x[1] - f.x[0])) * f.width;
const toY = (f: Frame, v: number) => f.top + f.height - ((v - f.y[0]) / (f.y[1] - f.y[0])) * f.height;

/** A frame around the plotting area, tick marks with labels on the left and bottom axes, and the axis labels. */
function axes(f: Frame, xLabel: string, yLabel: string, xTicks = niceTicks(f.x[0], f.x[1]), yTicks = niceTicks(f.y[0], f.y[1])): string {
  const bottom = f.top + f.height;
  let out = `<rect x="${px(f.left)}" y="${px(f.top)}" width="${px(f.width)}" height="${px(f.height)}" fill="none" stroke="#333" shape-rendering="crispEdges"/>`;
  for (const v of xTicks) {
    const x = px(toX(f, v));
    out += `<line x1="${x}" x2="${x}" y1="${px(bottom)}" y2="${px(bottom + 4)}" stroke="#333"/><text x="${x}" y="${px(bottom + 15)}" text-anchor="middle" font-size="10">${tickLabel(v, xTicks)}</text>`;
  }
  for (const v of yTicks) {
    const y = px(toY(f, v));
    out += `<line x1="${px(f.left - 4)}" x2="${px(f.left)}" y1="${y}" y2="${y}" stroke="#333"/><text x="${px(f.left - 6)}" y="${px(toY(f, v) + 3.5)}" text-anchor="end" font-size="10">${tickLabel(v, yTicks)}</text>`;
  }
  if (xLabel) out += `<text x="${px(f.left + f.width / 2)}" y="${px(bottom + 30)}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`;
  if (yLabel) {
    const cy = px(f.top + f.height / 2);
    out += `<text x="10" y="${cy}" text-anchor="middle" font-size="12" transform="rotate(-90 10 ${cy})">${esc(yLabel)}</text>`;
  }
  return out;
}

/** The largest frame with the box's aspect ratio inside `width × height` at `(left, top)`. */
function equalAspect(box: Box, left: number, top: number, width: number, height: number): Frame {
  const [x0, x1, y0, y1] = box;
  const k = Math.min(width / (x1 - x0), height / (y1 - y0));
  return { left, top, width: k * (x1 - x0), height: k * (y1 - y0), x: [x0, x1], y: [y0, y1] };
}

/** A panel showing a region of the plane at equal aspect, `right` pixels kept free on its right; `body` draws into the frame. */
function planePanel(title: string, box: Box, right: number, body: (f: Frame) => string): Panel {
  const frame = (size: number) => equalAspect(box, 42, 4, size - 42 - right, size - 4 - 38);
  return { title, height: (size) => frame(size).height + 4 + 38, draw: (size) => body(frame(size)) };
}

/** What a grid of {@link histogram2d} or {@link densityGrid} covers and holds, for {@link heatmap}'s defaults. */
const grids = new WeakMap<ArrayLike<number>, { box: Box; label: string }>();

function checkBox(box: Box, where: string): void {
  const [x0, x1, y0, y1] = box;
  if (!(x1 > x0 && y1 > y0)) throw new Error(`${where}: box must be [xMin, xMax, yMin, yMax] with xMin < xMax and yMin < yMax (got [${box.join(', ')}])`);
}

/** Counts of 2-D points (`[x0, y0, x1, y1, ...]`) in a `bins × bins` grid over `box` (row 0 at the bottom). */
export function histogram2d(points: ArrayLike<number>, box: Box, bins: number): Float64Array {
  checkBox(box, 'histogram2d');
  const [x0, x1, y0, y1] = box;
  const counts = new Float64Array(bins * bins);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const bx = Math.floor((((points[i] as number) - x0) / (x1 - x0)) * bins);
    const by = Math.floor((((points[i + 1] as number) - y0) / (y1 - y0)) * bins);
    if (bx >= 0 && bx < bins && by >= 0 && by < bins) counts[by * bins + bx] = (counts[by * bins + bx] as number) + 1;
  }
  grids.set(counts, { box, label: 'count per bin' });
  return counts;
}

/** `exp(logProb)` at the centres of a `bins × bins` grid over `box` (row 0 at the bottom). */
export function densityGrid(logProb: (x: Tensor) => Tensor, box: Box, bins: number): Float64Array {
  checkBox(box, 'densityGrid');
  const [x0, x1, y0, y1] = box;
  const xy = new Float64Array(2 * bins * bins);
  for (let by = 0; by < bins; by++) {
    for (let bx = 0; bx < bins; bx++) {
      xy[2 * (by * bins + bx)] = x0 + ((bx + 0.5) / bins) * (x1 - x0);
      xy[2 * (by * bins + bx) + 1] = y0 + ((by + 0.5) / bins) * (y1 - y0);
    }
  }
  const lp = noGrad(() => logProb(tensor(xy, { shape: [bins * bins, 2], dtype: 'float64' }))).dataSync();
  const density = Float64Array.from(lp, (v) => Math.exp(v));
  grids.set(density, { box, label: 'density' });
  return density;
}

/** A vertical colour bar at `(left, top)` of height `height` for values in `[0, max]`, with ticks and a label. */
function colourBar(left: number, top: number, height: number, max: number, scale: 'sqrt' | 'linear', label: string): string {
  const pos = (v: number) => (scale === 'sqrt' ? Math.sqrt(v / max) : v / max);
  const steps = 32;
  let out = '<g shape-rendering="crispEdges">';
  for (let k = 0; k < steps; k++) {
    const y0 = top + height - (height * (k + 1)) / steps;
    const y1 = top + height - (height * k) / steps;
    out += `<rect x="${px(left)}" y="${px(y0)}" width="10" height="${px(y1 - y0)}" fill="${colour((k + 0.5) / steps)}"/>`;
  }
  out += `<rect x="${px(left)}" y="${px(top)}" width="10" height="${px(height)}" fill="none" stroke="#333"/></g>`;
  const ticks = max > 0 ? niceTicks(0, max, 4).filter((v) => v <= max) : [0];
  for (const v of ticks) {
    const y = top + height - (max > 0 ? pos(v) : 0) * height;
    out += `<line x1="${px(left + 10)}" x2="${px(left + 13)}" y1="${px(y)}" y2="${px(y)}" stroke="#333"/><text x="${px(left + 15)}" y="${px(y + 3.5)}" font-size="9">${tickLabel(v, ticks)}</text>`;
  }
  const cx = left + 48;
  const cy = top + height / 2;
  const text = scale === 'sqrt' ? `${label} (√ scale)` : label;
  return `${out}<text x="${px(cx)}" y="${px(cy)}" text-anchor="middle" font-size="10" transform="rotate(-90 ${px(cx)} ${px(cy)})">${esc(text)}</text>`;
}

/**
 * A heat map of a `bins × bins` grid of non-negative values (e.g. a density or counts), row
 * 0 at the bottom, with axes in the units of its box and a colour bar. The box and the
 * colour bar's label default to those of the {@link histogram2d} or {@link densityGrid}
 * that made `values`; without one, the axes count bins.
 */
export function heatmap(values: ArrayLike<number>, bins: number, title: string, options: HeatmapOptions = {}): Panel {
  const known = grids.get(values);
  const box = options.box ?? known?.box ?? ([0, bins, 0, bins] as const);
  checkBox(box, 'heatmap');
  const label = options.label ?? known?.label ?? 'value';
  const scale = options.scale ?? 'sqrt';
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] as number);
  return planePanel(title, box, 66, (f) => {
    // Cell edges at exact fractions of the frame: neighbours share an edge, none passes the frame.
    const xs = Array.from({ length: bins + 1 }, (_, k) => f.left + (k * f.width) / bins);
    const ys = Array.from({ length: bins + 1 }, (_, k) => f.top + f.height - (k * f.height) / bins);
    let out = `<g shape-rendering="crispEdges"><rect x="${px(f.left)}" y="${px(f.top)}" width="${px(f.width)}" height="${px(f.height)}" fill="${colour(0)}"/>`;
    for (let by = 0; by < bins; by++) {
      for (let bx = 0; bx < bins; bx++) {
        const v = max > 0 ? (values[by * bins + bx] as number) / max : 0;
        if (!(v > 0)) continue;
        const x0 = Math.round((xs[bx] as number) * 100) / 100;
        const x1 = Math.round((xs[bx + 1] as number) * 100) / 100;
        const y0 = Math.round((ys[by + 1] as number) * 100) / 100;
        const y1 = Math.round((ys[by] as number) * 100) / 100;
        out += `<rect x="${px(x0)}" y="${px(y0)}" width="${px(x1 - x0)}" height="${px(y1 - y0)}" fill="${colour(scale === 'sqrt' ? Math.sqrt(v) : v)}"/>`;
      }
    }
    out += '</g>';
    out += axes(f, known || options.box ? (options.xLabel ?? 'x₁') : 'bin', known || options.box ? (options.yLabel ?? 'x₂') : 'bin');
    out += colourBar(f.left + f.width + 10, f.top, f.height, max, scale, label);
    return out;
  });
}

/** A scatter plot of 2-D points (`[x0, y0, x1, y1, ...]`) over `box`, with axes. Points outside the box are not drawn. */
export function scatter(points: ArrayLike<number>, box: Box, title: string, options: ScatterOptions = {}): Panel {
  checkBox(box, 'scatter');
  const { color = '#3b528b', radius = 1.2, max = 5000 } = options;
  return planePanel(title, box, 8, (f) => {
    let dots = '';
    for (let i = 0; i + 1 < Math.min(points.length, 2 * max); i += 2) {
      const x = points[i] as number;
      const y = points[i + 1] as number;
      if (x < box[0] || x > box[1] || y < box[2] || y > box[3]) continue;
      dots += `<circle cx="${px(toX(f, x))}" cy="${px(toY(f, y))}" r="${radius}"/>`;
    }
    return `<rect x="${px(f.left)}" y="${px(f.top)}" width="${px(f.width)}" height="${px(f.height)}" fill="white"/><g fill="${color}" fill-opacity="0.6">${dots}</g>${axes(f, options.xLabel ?? 'x₁', options.yLabel ?? 'x₂')}`;
  });
}

/** A histogram (bar chart of counts) of `values`, with axes. */
export function histogram(values: ArrayLike<number>, title: string, options: HistogramOptions = {}): Panel {
  const bins = options.bins ?? 30;
  const finite = Array.from(values).filter(Number.isFinite);
  const [lo, hi] = options.range ?? [Math.min(...finite), Math.max(...finite)];
  if (!(hi > lo)) throw new Error(`histogram: range must have lo < hi (got [${lo}, ${hi}])`);
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const k = Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
    if (k >= 0 && v <= hi) counts[k] = (counts[k] as number) + 1;
  }
  const top = Math.max(1, ...counts);
  return {
    title,
    draw(size) {
      const f: Frame = { left: 48, top: 4, width: size - 48 - 8, height: size - 4 - 38, x: [lo, hi], y: [0, top * 1.05] };
      let bars = '';
      counts.forEach((c, k) => {
        if (c === 0) return;
        const x0 = toX(f, lo + ((hi - lo) * k) / bins);
        const x1 = toX(f, lo + ((hi - lo) * (k + 1)) / bins);
        bars += `<rect x="${px(x0)}" y="${px(toY(f, c))}" width="${px(x1 - x0)}" height="${px(toY(f, 0) - toY(f, c))}"/>`;
      });
      return `<rect width="${size}" height="${size}" fill="white"/><g fill="${options.color ?? '#3b528b'}" stroke="white" stroke-width="0.5">${bars}</g>${axes(f, options.xLabel ?? '', 'count')}`;
    },
  };
}

/** A line chart of one or more series against their index, with a legend (top or bottom right) and axis labels. */
export function lineChart(series: readonly Series[], title: string, xLabel: string, yLabel: string, legend: 'top' | 'bottom' = 'top'): Panel {
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const pad = 0.04 * (Math.max(...all) - Math.min(...all) || 1); // lines clear of the frame
  const ticks = niceTicks(Math.min(...all) - pad, Math.max(...all) + pad);
  const lo = Math.min(...all) - pad;
  const hi = Math.max(...all) + pad;
  const n = Math.max(...series.map((s) => s.values.length));
  return {
    title,
    draw(size) {
      const f: Frame = { left: 50, top: 8, width: size - 50 - 10, height: size - 8 - 38, x: [1, Math.max(2, n)], y: [lo, hi] };
      const xTicks = niceTicks(1, Math.max(2, n)).filter((v) => v >= 1 && Number.isInteger(v));
      let out = `<rect width="${size}" height="${size}" fill="white"/>`;
      for (const v of ticks) out += `<line x1="${px(f.left)}" x2="${px(f.left + f.width)}" y1="${px(toY(f, v))}" y2="${px(toY(f, v))}" stroke="#e4e4e4"/>`;
      out += axes(f, xLabel, yLabel, xTicks, ticks);
      series.forEach((s, k) => {
        const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${px(toX(f, i + 1))},${px(toY(f, v))}`).join('');
        out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
        const ly = legend === 'top' ? f.top + 16 + 16 * k : f.top + f.height - 12 - 16 * (series.length - 1 - k);
        out += `<rect x="${px(f.left + f.width - 150)}" y="${px(ly - 5)}" width="12" height="3" fill="${s.color}"/><text x="${px(f.left + f.width - 132)}" y="${px(ly)}" font-size="12">${esc(s.name)}</text>`;
      });
      return out;
    },
  };
}

/** Panels side by side in one SVG document with a title (`<title>` and a heading). */
export function figure(title: string, panels: readonly Panel[], size = 320): string {
  const gap = 24;
  const width = panels.length * size + (panels.length + 1) * gap;
  const height = Math.ceil(Math.max(...panels.map((p) => p.height?.(size) ?? size))) + 80;
  let body = '';
  panels.forEach((p, i) => {
    const x = gap + i * (size + gap);
    body += `<text x="${x + size / 2}" y="58" text-anchor="middle" font-size="14">${esc(p.title)}</text>`;
    body += `<g transform="translate(${x},68)">${p.draw(size)}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><title>${esc(title)}</title><rect width="${width}" height="${height}" fill="white"/><text x="${width / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold">${esc(title)}</text>${body}</svg>\n`;
}

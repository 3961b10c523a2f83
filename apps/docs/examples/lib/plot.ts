// Small SVG charts for the guides: density heat maps, scatter plots and line charts laid
// out side by side in one figure. No dependencies, deterministic output.
import { type Tensor, noGrad, tensor } from '@eddy/core';

/** A rectangle of the plane: `[xMin, xMax, yMin, yMax]`. */
export type Box = readonly [number, number, number, number];

/** One chart of a figure, drawn into a `size × size` square at the origin. */
export interface Panel {
  /** Title above the chart. */
  title: string;
  /** SVG elements of the chart, in the square `[0, size]²`. */
  draw(size: number): string;
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

/** Counts of 2-D points (`[x0, y0, x1, y1, ...]`) in a `bins × bins` grid over `box` (row 0 at the bottom). */
export function histogram2d(points: ArrayLike<number>, box: Box, bins: number): Float64Array {
  const [x0, x1, y0, y1] = box;
  const counts = new Float64Array(bins * bins);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const bx = Math.floor((((points[i] as number) - x0) / (x1 - x0)) * bins);
    const by = Math.floor((((points[i + 1] as number) - y0) / (y1 - y0)) * bins);
    if (bx >= 0 && bx < bins && by >= 0 && by < bins) counts[by * bins + bx] = (counts[by * bins + bx] as number) + 1;
  }
  return counts;
}

/** `exp(logProb)` at the centres of a `bins × bins` grid over `box` (row 0 at the bottom). */
export function densityGrid(logProb: (x: Tensor) => Tensor, box: Box, bins: number): Float64Array {
  const [x0, x1, y0, y1] = box;
  const xy = new Float64Array(2 * bins * bins);
  for (let by = 0; by < bins; by++) {
    for (let bx = 0; bx < bins; bx++) {
      xy[2 * (by * bins + bx)] = x0 + ((bx + 0.5) / bins) * (x1 - x0);
      xy[2 * (by * bins + bx) + 1] = y0 + ((by + 0.5) / bins) * (y1 - y0);
    }
  }
  const lp = noGrad(() => logProb(tensor(xy, { shape: [bins * bins, 2], dtype: 'float64' }))).dataSync();
  return Float64Array.from(lp, (v) => Math.exp(v));
}

/** A heat map of a `bins × bins` grid of non-negative values (e.g. a density or counts). */
export function heatmap(values: ArrayLike<number>, bins: number, title: string): Panel {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] as number);
  return {
    title,
    draw(size) {
      const cell = size / bins;
      let out = `<g shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="${colour(0)}"/>`;
      for (let by = 0; by < bins; by++) {
        for (let bx = 0; bx < bins; bx++) {
          const v = max > 0 ? (values[by * bins + bx] as number) / max : 0;
          if (v <= 0) continue;
          out += `<rect x="${(bx * cell).toFixed(2)}" y="${((bins - 1 - by) * cell).toFixed(2)}" width="${(cell + 0.5).toFixed(2)}" height="${(cell + 0.5).toFixed(2)}" fill="${colour(Math.sqrt(v))}"/>`;
        }
      }
      return `${out}</g>`;
    },
  };
}

/** A line chart of one or more series against their index, with a legend (top or bottom right) and axis labels. */
export function lineChart(series: readonly Series[], title: string, xLabel: string, yLabel: string, legend: 'top' | 'bottom' = 'top'): Panel {
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const n = Math.max(...series.map((s) => s.values.length));
  return {
    title,
    draw(size) {
      const pad = 44;
      const w = size - pad - 8;
      const h = size - pad - 8;
      const px = (i: number) => pad + (n <= 1 ? 0 : (i / (n - 1)) * w);
      const py = (v: number) => 8 + (hi === lo ? h / 2 : (1 - (v - lo) / (hi - lo)) * h);
      let out = `<rect width="${size}" height="${size}" fill="white"/><path d="M${pad},8V${8 + h}H${pad + w}" fill="none" stroke="#444"/>`;
      for (const v of [lo, (lo + hi) / 2, hi]) {
        out += `<text x="${pad - 4}" y="${py(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>`;
      }
      out += `<text x="${pad}" y="${size - 22}" font-size="11">1</text><text x="${pad + w}" y="${size - 22}" text-anchor="end" font-size="11">${n}</text>`;
      out += `<text x="${pad + w / 2}" y="${size - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`;
      out += `<text x="12" y="${8 + h / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 12 ${8 + h / 2})">${esc(yLabel)}</text>`;
      series.forEach((s, k) => {
        const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${px(i).toFixed(1)},${py(v).toFixed(1)}`).join('');
        out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
        const ly = legend === 'top' ? 22 + 16 * k : size - pad - 30 - 16 * k;
        out += `<rect x="${pad + w - 150}" y="${ly - 5}" width="12" height="3" fill="${s.color}"/><text x="${pad + w - 132}" y="${ly}" font-size="12">${esc(s.name)}</text>`;
      });
      return out;
    },
  };
}

/** Panels side by side in one SVG document with a title (`<title>` and a heading). */
export function figure(title: string, panels: readonly Panel[], size = 320): string {
  const gap = 24;
  const width = panels.length * size + (panels.length + 1) * gap;
  const height = size + 80;
  let body = '';
  panels.forEach((p, i) => {
    const x = gap + i * (size + gap);
    body += `<text x="${x + size / 2}" y="58" text-anchor="middle" font-size="14">${esc(p.title)}</text>`;
    body += `<g transform="translate(${x},68)">${p.draw(size)}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><title>${esc(title)}</title><rect width="${width}" height="${height}" fill="white"/><text x="${width / 2}" y="26" text-anchor="middle" font-size="17" font-weight="bold">${esc(title)}</text>${body}</svg>\n`;
}

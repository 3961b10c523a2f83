// Grey-level images for the guides (e.g. handwritten digits): a grid of small images as one
// SVG panel, drawn with rectangles (no raster encoder), deterministic output.
import { type Panel, px } from './plot.js';

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Images per row of the grid (default: as many as make the grid about square). */
  columns?: number;
  /** Number of grey levels drawn (default 16); values are rounded to the nearest level. */
  levels?: number;
}

/**
 * A grid of grey-level images, white strokes on black as MNIST is usually shown: `images`
 * holds `count = images.length / (width · height)` images one after another, row-major,
 * values in `[0, 1]` (clamped). Each image is drawn in its own square cell with a thin gap;
 * pixels of one grey level that touch along a row are merged into one rectangle.
 */
export function imageGrid(images: ArrayLike<number>, title: string, options: ImageGridOptions): Panel {
  const { width, height, levels = 16 } = options;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new Error(`imageGrid: width and height must be positive integers (got ${width} × ${height})`);
  }
  if (!(Number.isInteger(levels) && levels >= 2)) throw new Error(`imageGrid: levels must be an integer ≥ 2 (got ${levels})`);
  const pixels = width * height;
  if (images.length === 0 || images.length % pixels !== 0) {
    throw new Error(`imageGrid: images must hold a whole number of ${width} × ${height} images (got ${images.length} values)`);
  }
  const count = images.length / pixels;
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  if (!(Number.isInteger(columns) && columns > 0)) throw new Error(`imageGrid: columns must be a positive integer (got ${columns})`);
  const rows = Math.ceil(count / columns);
  return {
    title,
    draw(size) {
      const gap = 2;
      const scale = Math.min((size - gap * (columns - 1)) / (columns * width), (size - gap * (rows - 1)) / (rows * height));
      const gridWidth = columns * width * scale + gap * (columns - 1);
      const gridHeight = rows * height * scale + gap * (rows - 1);
      const left = (size - gridWidth) / 2;
      const top = (size - gridHeight) / 2;
      const byLevel = new Map<number, string>();
      let out = '<g shape-rendering="crispEdges">';
      for (let n = 0; n < count; n++) {
        const x0 = left + (n % columns) * (width * scale + gap);
        const y0 = top + Math.floor(n / columns) * (height * scale + gap);
        out += `<rect x="${px(x0)}" y="${px(y0)}" width="${px(width * scale)}" height="${px(height * scale)}" fill="black"/>`;
        for (let r = 0; r < height; r++) {
          let c = 0;
          while (c < width) {
            const level = quantise(images[n * pixels + r * width + c] as number, levels);
            let end = c + 1;
            while (end < width && quantise(images[n * pixels + r * width + end] as number, levels) === level) end++;
            if (level > 0) {
              const d = `M${px(x0 + c * scale)} ${px(y0 + r * scale)}h${px((end - c) * scale)}v${px(scale)}h${px(-(end - c) * scale)}z`;
              byLevel.set(level, (byLevel.get(level) ?? '') + d);
            }
            c = end;
          }
        }
      }
      for (const [level, d] of [...byLevel].sort((a, b) => a[0] - b[0])) {
        const grey = Math.round((255 * level) / (levels - 1));
        out += `<path d="${d}" fill="rgb(${grey},${grey},${grey})"/>`;
      }
      return `${out}</g>`;
    },
  };
}

/** The grey level `0 … levels − 1` nearest to `v` (clamped to `[0, 1]`; NaN is 0). */
function quantise(v: number, levels: number): number {
  if (!(v > 0)) return 0;
  return Math.round(Math.min(1, v) * (levels - 1));
}

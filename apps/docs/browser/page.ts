// The demo page's script: sends requests to the Web Worker (worker.ts) when the controls
// change, and draws what comes back on the canvas: the flow's density as a heat map with a
// colour scale, the samples as dots, axes with tick labels. It never runs the flow itself,
// so the page stays responsive while the worker computes. `?n=` and `?seed=` in the address
// set the controls (the screenshot test uses them); the readouts carry `data-` attributes
// with the exact values (the mean log-density as a round-trip string).
import type { Box, Failure, Request, Result } from './protocol.js';

const BOX: Box = { x0: -1.5, x1: 2.5, y0: -1, y1: 1.5 };
const GRID = 96;
const MARGIN = { left: 48, right: 80, top: 12, bottom: 40 };

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`two-moons demo: no element #${id}`);
  return el as T;
};
const canvas = $<HTMLCanvasElement>('plot');
const samplesInput = $<HTMLInputElement>('samples');
const samplesValue = $<HTMLOutputElement>('samples-value');
const seedInput = $<HTMLInputElement>('seed');
const status = $<HTMLElement>('status');
const drawn = $<HTMLElement>('drawn');
const meanOut = $<HTMLElement>('mean-log-density');
const timing = $<HTMLElement>('timing');

const params = new URLSearchParams(location.search);
if (params.has('n')) samplesInput.value = String(params.get('n'));
if (params.has('seed')) seedInput.value = String(params.get('seed'));

const worker = new Worker(new URL('two-moons-worker.js', import.meta.url), { type: 'module' });
let nextId = 0;
let latest = -1;

/** Asks the worker for the current controls' samples (answers to older requests are dropped). */
function request(): void {
  const n = Number(samplesInput.value);
  const seed = Number(seedInput.value);
  samplesValue.textContent = n.toLocaleString('en');
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(seed) || seed < 0) {
    status.textContent = 'the number of samples must be a positive integer and the seed a non-negative integer';
    return;
  }
  latest = nextId++;
  document.body.dataset.state = 'busy';
  status.textContent = `sampling ${n.toLocaleString('en')} points in the worker…`;
  const req: Request = { id: latest, n, seed, grid: GRID, box: BOX };
  worker.postMessage(req);
}

worker.onmessage = (e: MessageEvent<Result | Failure>) => {
  const m = e.data;
  if (m.id !== latest) return;
  if (m.type === 'error') {
    document.body.dataset.state = 'error';
    status.textContent = `error: ${m.message}`;
    return;
  }
  draw(m);
  drawn.textContent = (m.samples.length / 2).toLocaleString('en');
  drawn.dataset.value = String(m.samples.length / 2);
  meanOut.textContent = m.meanLogDensity.toFixed(6);
  meanOut.dataset.value = String(m.meanLogDensity);
  meanOut.dataset.n = String(m.n);
  meanOut.dataset.seed = String(m.seed);
  timing.textContent = `${m.sampleMs.toFixed(0)} ms to sample and evaluate, ${m.gridMs.toFixed(0)} ms for the ${m.grid}×${m.grid} density grid (${m.kernels} kernels, in a Web Worker)`;
  status.textContent = 'done';
  document.body.dataset.state = 'ready';
};
worker.onerror = (e) => {
  document.body.dataset.state = 'error';
  status.textContent = `worker error: ${e.message}`;
};

/** Viridis-like colour ramp, t in [0, 1]. */
function colour(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const u = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(u), stops.length - 2);
  const f = u - i;
  const a = stops[i] as [number, number, number];
  const b = stops[i + 1] as [number, number, number];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

function draw(m: Result): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('two-moons demo: no 2D canvas context');
  const W = canvas.width;
  const H = canvas.height;
  const pw = W - MARGIN.left - MARGIN.right;
  const ph = H - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - BOX.x0) / (BOX.x1 - BOX.x0)) * pw;
  const py = (y: number): number => MARGIN.top + (1 - (y - BOX.y0) / (BOX.y1 - BOX.y0)) * ph;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);

  // Density: one image pixel per grid cell, scaled to the plot area (no cell drawn wider than its bin).
  const g = m.grid;
  let max = 0;
  for (const v of m.logDensity) max = Math.max(max, Math.exp(v));
  const img = new ImageData(g, g);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const [R, G, B] = colour(Math.exp(m.logDensity[r * g + c] as number) / max);
      const k = 4 * ((g - 1 - r) * g + c);
      img.data[k] = R;
      img.data[k + 1] = G;
      img.data[k + 2] = B;
      img.data[k + 3] = 255;
    }
  }
  const off = new OffscreenCanvas(g, g);
  (off.getContext('2d') as OffscreenCanvasRenderingContext2D).putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, MARGIN.left, MARGIN.top, pw, ph);

  // Samples.
  ctx.fillStyle = 'rgba(255, 255, 255, 0.75)';
  ctx.save();
  ctx.beginPath();
  ctx.rect(MARGIN.left, MARGIN.top, pw, ph);
  ctx.clip();
  for (let i = 0; i < m.samples.length; i += 2) ctx.fillRect(px(m.samples[i] as number) - 1, py(m.samples[i + 1] as number) - 1, 2, 2);
  ctx.restore();

  // Axes and tick labels.
  ctx.strokeStyle = '#333';
  ctx.fillStyle = '#333';
  ctx.font = '12px sans-serif';
  ctx.strokeRect(MARGIN.left, MARGIN.top, pw, ph);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let x = -1.5; x <= 2.5 + 1e-9; x += 0.5) {
    ctx.beginPath();
    ctx.moveTo(px(x), MARGIN.top + ph);
    ctx.lineTo(px(x), MARGIN.top + ph + 4);
    ctx.stroke();
    ctx.fillText(String(x), px(x), MARGIN.top + ph + 6);
  }
  ctx.fillText('x₁', MARGIN.left + pw / 2, MARGIN.top + ph + 20);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let y = -1; y <= 1.5 + 1e-9; y += 0.5) {
    ctx.beginPath();
    ctx.moveTo(MARGIN.left - 4, py(y));
    ctx.lineTo(MARGIN.left, py(y));
    ctx.stroke();
    ctx.fillText(String(y), MARGIN.left - 6, py(y));
  }
  ctx.save();
  ctx.translate(14, MARGIN.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('x₂', 0, 0);
  ctx.restore();

  // Colour scale: q(x) from 0 to its maximum on the grid.
  const sx = W - MARGIN.right + 16;
  for (let i = 0; i < ph; i++) {
    const [R, G, B] = colour(1 - i / (ph - 1));
    ctx.fillStyle = `rgb(${R}, ${G}, ${B})`;
    ctx.fillRect(sx, MARGIN.top + i, 12, 1);
  }
  ctx.strokeRect(sx, MARGIN.top, 12, ph);
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  ctx.fillText(max.toFixed(2), sx + 15, MARGIN.top + 6);
  ctx.fillText('0', sx + 15, MARGIN.top + ph - 6);
  ctx.save();
  ctx.translate(sx + 32, MARGIN.top + ph / 2);
  ctx.rotate(Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('density q(x)', 0, 0);
  ctx.restore();
}

let timer: ReturnType<typeof setTimeout> | undefined;
samplesInput.addEventListener('input', () => {
  samplesValue.textContent = Number(samplesInput.value).toLocaleString('en');
  clearTimeout(timer);
  timer = setTimeout(request, 120);
});
seedInput.addEventListener('change', request);
request();

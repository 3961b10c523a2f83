// The messages between the demo page (page.ts) and its Web Worker (worker.ts).

/** The plotted region: x from `x0` to `x1`, y from `y0` to `y1`. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Page → worker: draw `n` samples with seed `seed`, and the density on a `grid`² grid over `box`. */
export interface Request {
  id: number;
  n: number;
  seed: number;
  grid: number;
  box: Box;
}

/** Worker → page: the samples (x, y interleaved), their mean log-density and the density grid. */
export interface Result {
  type: 'result';
  id: number;
  n: number;
  seed: number;
  /** `2n` values: x₀, y₀, x₁, y₁, … */
  samples: Float64Array;
  /** The mean of log q(xᵢ) over the samples, in float64. */
  meanLogDensity: number;
  /** `grid²` log-densities, row by row from the bottom (y0) up, x0 to x1 within a row. */
  logDensity: Float64Array;
  grid: number;
  /** Milliseconds the worker spent on sampling and on the grid. */
  sampleMs: number;
  gridMs: number;
  /** Which CPU kernels ran (`kernelInfo().isa`: 'typescript' in a browser). */
  kernels: string;
}

/** Worker → page: the request failed. */
export interface Failure {
  type: 'error';
  id: number;
  message: string;
}

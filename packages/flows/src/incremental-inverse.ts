import {
  type AutoregressiveProgram,
  type FloatDType,
  type FusedActivation,
  type Module,
  type Tensor,
  type TensorFunction,
  add,
  concat,
  expand,
  fusedKernelsOf,
  fusedLinear,
  isGradEnabled,
  relu,
  reshape,
  slice,
  sum,
  take,
  zeros,
} from '@eddy/core';
import { Tensor as TensorClass } from '@eddy/core';
import { ReLU } from './nn/activations.js';
import { MaskedLinear } from './nn/masked-linear.js';
import type { MaskedMLP } from './nn/masked-mlp.js';
import { Residual } from './nn/residual.js';
import { type Univariate, applyPacked } from './univariate.js';

/** Step at which each unit of a value becomes known, and the units of each step. */
interface Partition {
  /** `avail[u]`: the first step at which unit `u` can be computed (≥ steps: never needed). */
  avail: Int32Array;
  /** Units available at step `s`, ascending, for `s < steps`. */
  byStep: Int32Array[];
}

/** One operation of the network, over values identified by index (0 = the input `[x, c]`). */
type Op =
  | { kind: 'linear'; layer: MaskedLinear; input: number; act: FusedActivation; output: boolean }
  | { kind: 'map'; fn: TensorFunction; input: number }
  | { kind: 'add'; a: number; b: number };

/** Per step of a linear op: the output units computed then and the input columns read. */
interface LinearStep {
  rows: Int32Array;
  /** Input units, in the order of the input blocks of steps `0..s` that are non-empty. */
  cols: Int32Array;
  /** Which input steps contribute blocks (their units, concatenated, are `cols`). */
  inSteps: number[];
}

function partition(avail: Int32Array, steps: number): Partition {
  const byStep: number[][] = Array.from({ length: steps }, () => []);
  for (let u = 0; u < avail.length; u++) {
    const s = avail[u] as number;
    if (s < steps) (byStep[s] as number[]).push(u);
  }
  return { avail, byStep: byStep.map((b) => Int32Array.from(b)) };
}

function sameUnits(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Columns `units` of `t` along the last axis: a slice when they are a contiguous run. */
function columns(t: Tensor, units: Int32Array): Tensor {
  const n = units.length;
  const first = units[0] as number;
  if (units[n - 1] === first + n - 1) return first === 0 && n === t.shape[t.ndim - 1] ? t : slice(t, -1, first, first + n);
  return take(t, Array.from(units), -1);
}

/**
 * The inverse of a masked autoregressive transform evaluated unit by unit instead of by
 * fixed-point passes. Every unit of the masked network (hidden or output) gets the step at
 * which all the inputs it reads are known — context and bias-only units at step 0, input
 * `x_j` after its autoregressive group is inverted, any other unit at the latest step of
 * the units its mask lets it read — and at step `s` only the units of step `s` are
 * computed, as dense sub-blocks of each weight matrix (rows: the new units; columns: the
 * units known so far), then the features of group `s` are inverted from the parameters
 * the output rows of that group now hold. Each unit is computed once and masked-out
 * weights are never multiplied: one sample costs about one network pass instead of one
 * per group.
 *
 * The schedule depends only on the masks and the order, never on the batch, and the
 * whole evaluation is written with differentiable core ops (so gradients through samples
 * are exact). It equals the fixed-point inverse up to rounding (the sums run over the
 * same terms in another order). {@link IncrementalInverse.plan} returns `null` for a
 * network it cannot schedule (a non-masked layer, a residual block whose steps do not
 * line up) and for a univariate that is a module with per-feature weights (NAF's and
 * UNAF's stacked monotonic networks transform all features at once, so one group cannot
 * be inverted alone); the transform then keeps the fixed-point passes.
 *
 * @example
 * ```ts
 * import { randn } from '@eddy/core';
 * import { type IncrementalInverse, MaskedAutoregressiveTransform } from '@eddy/flows';
 * const t = new MaskedAutoregressiveTransform(3, 2);
 * const plan: IncrementalInverse | null = t.incrementalPlan(); // what t.call(c).inv uses
 * const [x, ladj] = plan!.invert(randn([8, 3], { seed: 0 }), randn([8, 2], { seed: 1 }), true);
 * ```
 * @category Flows
 */
export class IncrementalInverse {
  readonly #steps: number;
  readonly #features: number;
  readonly #context: number;
  readonly #groups: Int32Array;
  readonly #ops: Op[];
  readonly #parts: Partition[];
  readonly #linearSteps: Map<number, LinearStep[]>;
  readonly #univariate: Univariate;
  readonly #shapes: ReadonlyArray<readonly number[]>;
  readonly #total: number;
  /** Features of each group, ascending. */
  readonly #groupFeatures: Int32Array[];
  /** Column order of the concatenated group blocks back to feature order (null: identity). */
  readonly #unpermute: number[] | null;
  /** Weight sub-blocks for the current weights, reused while no gradient is needed. */
  #cache: { key: unknown[]; blocks: Map<string, [Tensor, Tensor | null]>; program?: AutoregressiveProgram | null } | undefined;

  private constructor(
    steps: number,
    features: number,
    context: number,
    groups: Int32Array,
    ops: Op[],
    parts: Partition[],
    linearSteps: Map<number, LinearStep[]>,
    univariate: Univariate,
    shapes: ReadonlyArray<readonly number[]>,
    total: number,
  ) {
    this.#steps = steps;
    this.#features = features;
    this.#context = context;
    this.#groups = groups;
    this.#ops = ops;
    this.#parts = parts;
    this.#linearSteps = linearSteps;
    this.#univariate = univariate;
    this.#shapes = shapes;
    this.#total = total;
    this.#groupFeatures = Array.from({ length: steps }, (_, s) => Int32Array.from(Array.from(groups.keys()).filter((f) => groups[f] === s)));
    const order = this.#groupFeatures.flatMap((g) => Array.from(g));
    const inv = new Array<number>(features);
    order.forEach((f, i) => {
      inv[f] = i;
    });
    this.#unpermute = order.every((f, i) => f === i) ? null : inv;
  }

  /** Number of steps (autoregressive groups). */
  get steps(): number {
    return this.#steps;
  }

  /**
   * Plans the incremental inverse of `hyper` (a {@link MaskedMLP} over `[x, c]`) whose
   * output row `r` parametrises feature `⌊r / total⌋`, for features in autoregressive
   * `groups` (`0..steps−1`). Returns `null` when the network cannot be scheduled.
   *
   * @example
   * ```ts
   * import { IncrementalInverse, MaskedAutoregressiveTransform } from '@eddy/flows';
   * const t = new MaskedAutoregressiveTransform(3);
   * IncrementalInverse.plan(t.hyper, Int32Array.from(t.order.dataSync()), 3, 0, t.univariate, [[], []]);
   * ```
   */
  static plan(
    hyper: MaskedMLP,
    groups: Int32Array,
    features: number,
    context: number,
    univariate: Univariate,
    shapes: ReadonlyArray<readonly number[]>,
  ): IncrementalInverse | null {
    // A univariate module (NAF's and UNAF's stacked per-feature networks) transforms all
    // features together: one group cannot be inverted alone. Those keep the passes.
    if (typeof univariate !== 'function') return null;
    const total = shapes.reduce((acc, s) => acc + s.reduce((a, b) => a * b, 1), 0);
    const steps = Math.max(...Array.from(groups)) + 1;
    // Flatten the network into ops over values.
    const ops: Op[] = [];
    let nValues = 1;
    const flatten = (layers: ReadonlyArray<Module & TensorFunction>, input: number): number | null => {
      let v = input;
      for (let i = 0; i < layers.length; i++) {
        const l = layers[i] as Module & TensorFunction;
        if (l instanceof MaskedLinear) {
          const fuse = layers[i + 1] instanceof ReLU;
          ops.push({ kind: 'linear', layer: l, input: v, act: fuse ? 'relu' : 'none', output: false });
          if (fuse) i++;
        } else if (l instanceof Residual) {
          const inner = flatten(l.layers, v);
          if (inner === null) return null;
          ops.push({ kind: 'add', a: v, b: inner });
        } else if (l instanceof ReLU || !(l as { parameters?: () => unknown[] }).parameters?.().length) {
          // A parameter-free module after a masked layer: an elementwise activation.
          ops.push({ kind: 'map', fn: l, input: v });
        } else {
          return null;
        }
        v = nValues++;
      }
      return v;
    };
    const last = flatten(hyper.layers, 0);
    const lastOp = ops[ops.length - 1];
    if (last === null || lastOp === undefined || lastOp.kind !== 'linear') return null;
    lastOp.output = true;
    // Availability of every value's units.
    const inputAvail = new Int32Array(features + context);
    for (let f = 0; f < features; f++) inputAvail[f] = (groups[f] as number) + 1;
    const avails: Int32Array[] = [inputAvail];
    for (const op of ops) {
      if (op.kind === 'linear') {
        const mask = op.layer.mask.dataSync();
        const inA = avails[op.input] as Int32Array;
        const { outFeatures: nOut, inFeatures: nIn } = op.layer;
        if (inA.length !== nIn) return null;
        const a = new Int32Array(nOut);
        for (let r = 0; r < nOut; r++) {
          let m = 0;
          for (let j = 0; j < nIn; j++) if (mask[r * nIn + j] !== 0 && (inA[j] as number) > m) m = inA[j] as number;
          a[r] = m;
        }
        avails.push(a);
      } else if (op.kind === 'map') {
        avails.push(avails[op.input] as Int32Array);
      } else {
        const a = avails[op.a] as Int32Array;
        const b = avails[op.b] as Int32Array;
        if (a.length !== b.length) return null;
        avails.push(Int32Array.from(a, (v, i) => Math.max(v, b[i] as number)));
      }
    }
    // Output rows: feature f's parameters must be known at its group's step.
    const outAvail = avails[avails.length - 1] as Int32Array;
    if (outAvail.length !== features * total) return null;
    for (let r = 0; r < outAvail.length; r++) if ((outAvail[r] as number) > (groups[Math.floor(r / total)] as number)) return null;
    const parts = avails.map((a) => partition(a, steps));
    // A residual sum adds blocks unit for unit: its operands' steps must line up with its own.
    for (const [k, op] of ops.entries()) {
      if (op.kind !== 'add') continue;
      const out = parts[k + 1] as Partition;
      for (let s = 0; s < steps; s++) {
        const u = out.byStep[s] as Int32Array;
        if (!sameUnits(u, (parts[op.a] as Partition).byStep[s] as Int32Array) || !sameUnits(u, (parts[op.b] as Partition).byStep[s] as Int32Array)) return null;
      }
    }
    const linearSteps = new Map<number, LinearStep[]>();
    for (const [k, op] of ops.entries()) {
      if (op.kind !== 'linear') continue;
      const inP = parts[op.input] as Partition;
      const outP = parts[k + 1] as Partition;
      const perStep: LinearStep[] = [];
      for (let s = 0; s < steps; s++) {
        let rows: Int32Array;
        if (op.output) {
          const r: number[] = [];
          for (let f = 0; f < features; f++) if (groups[f] === s) for (let q = 0; q < total; q++) r.push(f * total + q);
          rows = Int32Array.from(r);
        } else {
          rows = outP.byStep[s] as Int32Array;
        }
        const inSteps: number[] = [];
        const cols: number[] = [];
        for (let t = 0; t <= s; t++) {
          const b = inP.byStep[t] as Int32Array;
          if (b.length > 0) {
            inSteps.push(t);
            cols.push(...b);
          }
        }
        perStep.push({ rows, cols: Int32Array.from(cols), inSteps });
      }
      linearSteps.set(k, perStep);
    }
    return new IncrementalInverse(steps, features, context, groups, ops, parts, linearSteps, univariate, shapes, total);
  }

  /** `[W[rows][:, cols], b[rows]]` of a linear op's masked weight at a step (cached without gradients). */
  #block(k: number, s: number, op: Extract<Op, { kind: 'linear' }>, st: LinearStep): [Tensor, Tensor | null] {
    // Reused across calls only where tensors are garbage-collected (a manual-memory backend
    // frees them at the end of the caller's tidy scope) and no gradient is recorded.
    const cacheable = !op.layer.weight.backend.manualMemory && (!isGradEnabled() || (!op.layer.weight.requiresGrad && !(op.layer.bias?.requiresGrad ?? false)));
    const make = (): [Tensor, Tensor | null] => {
      const w = op.layer.maskedWeight();
      const rows = take(w, Array.from(st.rows), 0);
      const wb = st.cols.length === 0 ? rows : take(rows, Array.from(st.cols), 1);
      const b = op.layer.bias === null ? null : take(op.layer.bias, Array.from(st.rows), 0);
      return [wb, b];
    };
    if (!cacheable) return make();
    const cache = this.#currentCache();
    const id = `${k}:${s}`;
    let hit = cache.blocks.get(id);
    if (hit === undefined) {
      hit = make();
      cache.blocks.set(id, hit);
    }
    return hit;
  }

  /** The cache for the current weights (reset when an optimizer step replaced any). */
  #currentCache(): { key: unknown[]; blocks: Map<string, [Tensor, Tensor | null]>; program?: AutoregressiveProgram | null } {
    const key = this.#ops.flatMap((o) => (o.kind === 'linear' ? [o.layer.weight.handle, o.layer.bias?.handle] : []));
    if (this.#cache === undefined || this.#cache.key.length !== key.length || this.#cache.key.some((h, i) => h !== key[i])) {
      this.#cache = { key, blocks: new Map() };
    }
    return this.#cache;
  }

  /**
   * `x = f⁻¹(y)` for `y` `[..., D]` (and the context `c`, `[..., C]` broadcast to it), with
   * `log |det ∂x/∂y|` summed over the features when `withLadj`.
   *
   * @example
   * ```ts
   * import { randn } from '@eddy/core';
   * import { MaskedAutoregressiveTransform } from '@eddy/flows';
   * const plan = new MaskedAutoregressiveTransform(3).incrementalPlan()!;
   * const [x] = plan.invert(randn([8, 3], { seed: 0 }), undefined, false);
   * ```
   */
  invert(y: Tensor, c: Tensor | undefined, withLadj: boolean): [Tensor, Tensor | null] {
    const lead = y.shape.slice(0, -1);
    const fast = this.#kernel(y, c, lead, withLadj);
    if (fast !== null) return fast;
    // blocks[v][s]: the value-v units of step s, [..., |units|] (undefined: none).
    const blocks: Array<Array<Tensor | undefined>> = [Array.from({ length: this.#steps }, () => undefined)];
    for (let k = 0; k < this.#ops.length; k++) blocks.push(Array.from({ length: this.#steps }, () => undefined));
    const input = blocks[0] as Array<Tensor | undefined>;
    if (this.#context > 0 && c !== undefined) input[0] = expand(c, [...lead, this.#context]);
    const xs: Tensor[] = [];
    let ladj: Tensor | null = null;
    for (let s = 0; s < this.#steps; s++) {
      let phi: Tensor | undefined;
      for (const [k, op] of this.#ops.entries()) {
        const out = blocks[k + 1] as Array<Tensor | undefined>;
        if (op.kind === 'map') {
          const b = (blocks[op.input] as Array<Tensor | undefined>)[s];
          if (b !== undefined) out[s] = op.fn.call(b);
        } else if (op.kind === 'add') {
          const a = (blocks[op.a] as Array<Tensor | undefined>)[s];
          const b = (blocks[op.b] as Array<Tensor | undefined>)[s];
          if (a !== undefined && b !== undefined) out[s] = add(a, b);
        } else {
          const st = (this.#linearSteps.get(k) as LinearStep[])[s] as LinearStep;
          if (st.rows.length === 0) continue;
          const [w, b] = this.#block(k, s, op, st);
          const ins = st.inSteps.map((t) => (blocks[op.input] as Array<Tensor | undefined>)[t] as Tensor);
          let v: Tensor;
          if (ins.length > 0) {
            v = fusedLinear(ins, w, b, op.act);
          } else {
            // Bias-only units (nothing known yet feeds them).
            const zero = b === null ? w.zerosLike().sum(1) : b;
            v = expand(op.act === 'relu' ? relu(zero) : zero, [...lead, st.rows.length]);
          }
          if (op.output) phi = v;
          else out[s] = v;
        }
      }
      // Invert group s from its parameters.
      const feats = this.#groupFeatures[s] as Int32Array;
      const n = feats.length;
      const p = reshape(phi as Tensor, [...lead, n, this.#total]);
      const [x, l] = applyPacked(this.#univariate, p, this.#shapes).inverseAndLadj(columns(y, feats));
      xs.push(x);
      if (s + 1 < this.#steps) input[s + 1] = x;
      if (withLadj) {
        const part = sum(l, -1);
        ladj = ladj === null ? part : add(ladj, part);
      }
    }
    const xcat = xs.length === 1 ? (xs[0] as Tensor) : concat(xs, -1);
    const x = this.#unpermute === null ? xcat : take(xcat, this.#unpermute, -1);
    return [x, ladj];
  }

  /**
   * The whole inverse in one backend kernel where the backend has one and nothing needs a
   * gradient: a chain of masked linear layers and a univariate the kernel knows (affine,
   * spline). `null` otherwise (the caller runs the schedule with core ops).
   */
  #kernel(y: Tensor, c: Tensor | undefined, lead: number[], withLadj: boolean): [Tensor, Tensor | null] | null {
    const kernel = fusedKernelsOf(y.backend)?.autoregressiveInverse;
    const u = this.#univariate;
    if (kernel === undefined || typeof u !== 'function' || u.program === undefined) return null;
    const params = u.program.kind === 'affine' ? 2 : 3 * u.program.bins - 1;
    if (params !== this.#total || this.#ops.some((op) => op.kind !== 'linear')) return null;
    const layers = this.#ops as Array<Extract<Op, { kind: 'linear' }>>;
    if (layers.some((op) => op.layer.weight.dtype !== y.dtype || op.layer.weight.backend !== y.backend)) return null;
    const recording =
      isGradEnabled() &&
      (y.requiresGrad || (c?.requiresGrad ?? false) || layers.some((op) => op.layer.weight.requiresGrad || (op.layer.bias?.requiresGrad ?? false)));
    if (recording || y.backend.manualMemory) return null;
    const program = this.#program(layers, u.program);
    const ce = this.#context > 0 && c !== undefined ? expand(c, [...lead, this.#context]) : null;
    const r = kernel.call(y.backend.fused, program, y, ce, withLadj);
    if (r === null) return null;
    const x = new TensorClass(r.y, y.shape, y.dtype, y.backend);
    return [x, withLadj ? new TensorClass(r.ladj, lead, y.dtype, y.backend) : null];
  }

  /** The kernel's program for the current weights (built once per weights version). */
  #program(layers: Array<Extract<Op, { kind: 'linear' }>>, univariate: AutoregressiveProgram['univariate']): AutoregressiveProgram {
    const cache = this.#currentCache();
    if (cache.program !== undefined && cache.program !== null) return cache.program;
    const blocks: Tensor[] = [];
    const biases: Tensor[] = [];
    for (const [k, op] of layers.entries()) {
      const steps = this.#linearSteps.get(k) as LinearStep[];
      for (let s = 0; s < this.#steps; s++) {
        const st = steps[s] as LinearStep;
        if (st.rows.length === 0) continue;
        const [w, b] = this.#block(k, s, op, st);
        if (st.cols.length > 0) blocks.push(w.reshape([-1]));
        biases.push(b ?? zeros([st.rows.length], { dtype: w.dtype as FloatDType, backend: w.backend }));
      }
    }
    const P = this.#steps;
    const L = layers.length;
    const counts = new Int32Array((L + 1) * P);
    const dims = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) {
      const part = this.#parts[l] as Partition;
      for (let s = 0; s < P; s++) counts[l * P + s] = (part.byStep[s] as Int32Array).length;
      dims[l] = part.byStep.reduce((acc, b) => acc + b.length, 0);
    }
    for (let s = 0; s < P; s++) counts[L * P + s] = (this.#groupFeatures[s] as Int32Array).length * this.#total;
    const dtype = layers[0]?.layer.weight.dtype as FloatDType;
    const flat = (ts: Tensor[]): Tensor => (ts.length === 0 ? zeros([0], { dtype }) : ts.length === 1 ? (ts[0] as Tensor) : concat(ts, 0));
    const program: AutoregressiveProgram = {
      features: this.#features,
      context: this.#context,
      steps: P,
      dims,
      counts,
      acts: Int32Array.from(layers, (op) => (op.act === 'relu' ? 1 : 0)),
      weights: flat(blocks),
      biases: flat(biases),
      groupFeatures: Int32Array.from(this.#groupFeatures.flatMap((g) => Array.from(g))),
      groupCounts: Int32Array.from(this.#groupFeatures, (g) => g.length),
      univariate,
    };
    cache.program = program;
    return program;
  }

  /** The input units available at each step, for tests: `[context..., then the features of each group]`. */
  get inputSteps(): Int32Array[] {
    return (this.#parts[0] as Partition).byStep;
  }

  /** Features per group, for tests. */
  get groupFeatures(): Int32Array[] {
    return this.#groupFeatures;
  }

  /** Number of features. */
  get features(): number {
    return this.#features;
  }

  /** The autoregressive group of each feature. */
  get groups(): Int32Array {
    return this.#groups;
  }
}

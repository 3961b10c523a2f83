import { noGrad } from './autodiff.js';
import { ShapeError, ValueError, fmtShape } from './errors.js';
import { cast } from './ops/elementwise.js';
import { shapesEqual } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * A tensor owned by a {@link Module} whose values may be replaced in place, through
 * {@link StateTensor.assign} only (optimizer steps, `loadStateDict`). The base of
 * {@link Parameter} and {@link Buffer}; every other tensor stays immutable.
 *
 * @example
 * ```ts
 * import { ones, Parameter, StateTensor, zeros } from '@eddy/core';
 * const p: StateTensor = new Parameter(zeros([2]));
 * p.assign(ones([2]));
 * ```
 * @category Modules
 */
export abstract class StateTensor extends Tensor {
  /** Wraps the values of `value` (its history is dropped). */
  constructor(value: Tensor, requiresGrad: boolean) {
    super(value.backend.reshape(value, value.shape), value.shape, value.dtype, value.backend, requiresGrad);
  }

  /** Replaces the values with those of `value` (same shape; cast to this dtype). */
  assign(value: Tensor): void {
    if (!shapesEqual(value.shape, this.shape)) {
      throw new ShapeError(`${this.constructor.name}.assign: shape ${fmtShape(value.shape)} does not match ${fmtShape(this.shape)}`);
    }
    const v = noGrad(() => cast(value, this.dtype));
    const old = this.handle;
    this._replaceHandle(v.backend.reshape(v, v.shape));
    if (this.backend.manualMemory) {
      // Free the replaced storage (and the cast copy), or every update would leak one tensor.
      this.backend.dispose({ shape: this.shape, dtype: this.dtype, handle: old });
      if (v !== value) v.dispose();
    }
  }
}

/**
 * A trainable tensor owned by a {@link Module}: it always requires gradients, and its
 * values change only through {@link StateTensor.assign}. Use it anywhere a tensor is
 * expected.
 *
 * @example
 * ```ts
 * import { matmul, Parameter, randn, zeros } from '@eddy/core';
 * const x = randn([8, 3], { seed: 0 });
 * const w = new Parameter(zeros([3, 2]));
 * const y = matmul(x, w);
 * ```
 * @category Modules
 */
export class Parameter extends StateTensor {
  /** Wraps the values of `value` as a trainable leaf. */
  constructor(value: Tensor) {
    super(value, true);
  }
}

/**
 * A non-trainable tensor owned by a {@link Module} (a mask, running statistics, fixed
 * constants). It is saved in `stateDict()` but never returned by `parameters()`.
 *
 * @example
 * ```ts
 * import { Buffer, Module, tensor } from '@eddy/core';
 * class Masked extends Module {
 *   readonly mask = new Buffer(tensor([[1, 0], [1, 1]])); // saved in stateDict(), not trained
 * }
 * ```
 * @category Modules
 */
export class Buffer extends StateTensor {
  /** Wraps the values of `value`. */
  constructor(value: Tensor) {
    super(value, false);
  }
}

/**
 * Options of {@link Module.loadStateDict}.
 *
 * @example
 * ```ts
 * import { Linear } from '@eddy/flows';
 * const model = new Linear(3, 2);
 * model.loadStateDict(new Linear(3, 2).stateDict(), { strict: false }); // missing keys allowed
 * ```
 * @category Modules
 */
export interface LoadStateDictOptions {
  /** Reject missing and unexpected keys (default true). */
  strict?: boolean;
}

/**
 * Base class of everything with parameters. Parameters, buffers and sub-modules are
 * found by walking the object's own enumerable fields in insertion order (arrays of them
 * are numbered), which gives PyTorch-style dotted names such as
 * `transforms.0.hyper.0.weight`.
 *
 * @example
 * ```ts
 * import { matmul, Module, Parameter, Tensor, zeros } from '@eddy/core';
 * class Linear extends Module {
 *   weight = new Parameter(zeros([2, 3]));
 *   bias = new Parameter(zeros([2]));
 *   call(x: Tensor): Tensor { return matmul(x, this.weight.transpose()).add(this.bias); }
 * }
 * new Linear().namedParameters().map(([n]) => n); // ['weight', 'bias']
 * ```
 * @category Modules
 */
export abstract class Module {
  /** Training mode flag (see {@link Module.train} / {@link Module.eval}). */
  training = true;

  /** Every parameter, buffer and sub-module, depth first, with dotted names. */
  *namedMembers(prefix = ''): Generator<[string, Parameter | Buffer | Module]> {
    const visit = function* (name: string, v: unknown): Generator<[string, Parameter | Buffer | Module]> {
      if (v instanceof Parameter || v instanceof Buffer) yield [name, v];
      else if (v instanceof Module) {
        yield [name, v];
        yield* v.namedMembers(`${name}.`);
      } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) yield* visit(`${name}.${i}`, v[i]);
      }
    };
    for (const [k, v] of Object.entries(this)) yield* visit(prefix + k, v);
  }

  /** Parameters with their dotted names. */
  namedParameters(): Array<[string, Parameter]> {
    return [...this.namedMembers()].filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  /** Buffers with their dotted names. */
  namedBuffers(): Array<[string, Buffer]> {
    return [...this.namedMembers()].filter((e): e is [string, Buffer] => e[1] instanceof Buffer);
  }

  /** All parameters (trainable tensors), in a stable order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Direct and nested sub-modules with their dotted names. */
  namedModules(): Array<[string, Module]> {
    return [...this.namedMembers()].filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** Every parameter and buffer by dotted name (a snapshot of the current values). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, t] of this.namedMembers()) if (!(t instanceof Module)) out[n] = t.detach();
    return out;
  }

  /**
   * Loads values by dotted name. Shapes must match exactly (a {@link ShapeError} names
   * the key and both shapes); values are cast to each parameter's dtype. With `strict`
   * (default), missing or unexpected keys are an error. Nothing is changed unless every
   * check passes.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    const { strict = true } = options;
    const own = new Map<string, Parameter | Buffer>();
    for (const [n, t] of this.namedMembers()) if (!(t instanceof Module)) own.set(n, t);
    if (strict) {
      const missing = [...own.keys()].filter((k) => !(k in dict));
      const unexpected = Object.keys(dict).filter((k) => !own.has(k));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new ValueError(`loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
      }
    }
    for (const [k, v] of Object.entries(dict)) {
      const p = own.get(k);
      if (p !== undefined && !shapesEqual(p.shape, v.shape)) {
        throw new ShapeError(`loadStateDict: ${k} has shape ${fmtShape(v.shape)}, the module expects ${fmtShape(p.shape)}`);
      }
    }
    for (const [k, v] of Object.entries(dict)) own.get(k)?.assign(v);
  }

  /**
   * Direct sub-modules with their names (a field, or `field.i` for arrays of modules).
   */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) yield [k, v];
      else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (v[i] instanceof Module) yield [`${k}.${i}`, v[i] as Module];
      }
    }
  }

  /** Extra text shown in {@link Module.toString} (e.g. layer sizes); empty by default. */
  extraRepr(): string {
    return '';
  }

  /**
   * The module tree, like PyTorch's `repr`: `Name(extra)` for a leaf, else the children
   * indented, one per line with their names.
   */
  toString(): string {
    const children = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  /** Sets training mode (recursively). Returns `this`. */
  train(mode = true): this {
    this.training = mode;
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (recursively). Returns `this`. */
  eval(): this {
    return this.train(false);
  }
}

/**
 * Something that maps a tensor to a tensor: a layer.
 *
 * @example
 * ```ts
 * import { type TensorFunction } from '@eddy/core';
 * import { relu } from '@eddy/core';
 * const layer: TensorFunction = { call: (x) => relu(x) };
 * ```
 * @category Modules
 */
export interface TensorFunction {
  /** Applies the layer. */
  call(x: Tensor): Tensor;
}

/**
 * Layers applied in order, named by position like PyTorch's `nn.Sequential`: the
 * parameters of layer `i` are `i.weight`, `i.bias`, ... (parameter-free layers such as
 * activations still take an index, which is why an MLP's linear layers are `0`, `2`, `4`).
 *
 * @example
 * ```ts
 * import { Sequential } from '@eddy/core';
 * import { Linear, ReLU } from '@eddy/flows';
 * const net = new Sequential([new Linear(2, 8), new ReLU(), new Linear(8, 1)]);
 * net.namedParameters().map(([n]) => n); // ['0.weight', '0.bias', '2.weight', '2.bias']
 * ```
 * @category Modules
 */
export class Sequential extends Module implements TensorFunction {
  /** The layers, in order. */
  readonly layers: ReadonlyArray<Module & TensorFunction>;

  /** @param layers modules with a `call(x)` method, applied first to last. */
  constructor(layers: ReadonlyArray<Module & TensorFunction>) {
    super();
    this.layers = layers;
  }

  /** Members named by the layer index (no `layers.` prefix). */
  override *namedMembers(prefix = ''): Generator<[string, Parameter | Buffer | Module]> {
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i] as Module;
      yield [`${prefix}${i}`, layer];
      yield* layer.namedMembers(`${prefix}${i}.`);
    }
  }

  /** Children named by index. */
  override *namedChildren(): Generator<[string, Module]> {
    for (let i = 0; i < this.layers.length; i++) yield [String(i), this.layers[i] as Module];
  }

  /** Applies every layer in order. */
  call(x: Tensor): Tensor {
    return this.layers.reduce((v, l) => l.call(v), x);
  }
}

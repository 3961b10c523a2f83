import { type Buffer, Module, Parameter, type Tensor, ValueError, fmtShape } from '@eddy/core';

/**
 * Parameters held by key, like PyTorch's `nn.ParameterDict`: in a state dict each one is
 * named `<field>.<key>` (e.g. `means.transform-transforms-0-hyper-0-weight` for the
 * `means` of a {@link BayesianModel}). Keys are kept in insertion order; a key must be a
 * non-empty string without `.` (as in PyTorch, where a dot would split the name).
 *
 * @example
 * ```ts
 * import { zeros } from '@eddy/core';
 * import { ParameterDict } from '@eddy/flows';
 * const d = new ParameterDict({ 'hyper-0-weight': zeros([4, 3]) });
 * d.get('hyper-0-weight');                 // a Parameter of shape [4, 3]
 * d.namedParameters().map(([n]) => n);     // ['hyper-0-weight']
 * ```
 * @category Bayesian
 */
export class ParameterDict extends Module {
  readonly #params = new Map<string, Parameter>();

  /** @param entries initial parameters by key (tensors that are not parameters are wrapped). */
  constructor(entries: Iterable<readonly [string, Tensor]> | Readonly<Record<string, Tensor>> = []) {
    super();
    const list = Symbol.iterator in entries ? [...(entries as Iterable<readonly [string, Tensor]>)] : Object.entries(entries);
    for (const [k, v] of list) this.set(k, v);
  }

  /** Adds or replaces the parameter at `key` (a tensor that is not a {@link Parameter} is wrapped in one). */
  set(key: string, value: Tensor): void {
    if (typeof key !== 'string' || key === '' || key.includes('.')) {
      throw new ValueError(`ParameterDict: a key must be a non-empty string without '.', got ${JSON.stringify(key)}`);
    }
    this.#params.set(key, value instanceof Parameter ? value : new Parameter(value));
  }

  /** The parameter at `key`, or `undefined`. */
  get(key: string): Parameter | undefined {
    return this.#params.get(key);
  }

  /** Whether there is a parameter at `key`. */
  has(key: string): boolean {
    return this.#params.has(key);
  }

  /** Number of parameters. */
  get size(): number {
    return this.#params.size;
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this.#params.keys()];
  }

  /** The parameters, in insertion order. */
  values(): Parameter[] {
    return [...this.#params.values()];
  }

  /** `[key, parameter]` pairs, in insertion order. */
  entries(): Array<[string, Parameter]> {
    return [...this.#params.entries()];
  }

  /** The parameters named by their keys (`prefix + key`). */
  override *namedMembers(prefix = ''): Generator<[string, Parameter | Buffer | Module]> {
    for (const [k, p] of this.#params) yield [prefix + k, p];
  }

  /** No sub-modules. */
  override *namedChildren(): Generator<[string, Module]> {}

  /** e.g. `ParameterDict(\n    (hyper-0-weight): Parameter of shape [4, 3] (float32)\n)`, like PyTorch's. */
  override toString(): string {
    if (this.#params.size === 0) return 'ParameterDict()';
    const lines = [...this.#params].map(([k, p]) => `    (${k}): Parameter of shape ${fmtShape(p.shape)} (${p.dtype})`);
    return `ParameterDict(\n${lines.join('\n')}\n)`;
  }
}

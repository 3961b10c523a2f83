import { Buffer, Module, Parameter, ValueError } from '@eddy/core';
import { MaskedAutoregressiveTransform } from './autoregressive.js';
import { GeneralCouplingTransform } from './coupling.js';
import { FFJTransform } from './continuous.js';
import { ElementWiseTransform } from './elementwise.js';
import { GMM } from './gmm.js';
import { UnconditionalDistribution, UnconditionalTransform } from './lazy.js';

/**
 * Classes of this package that keep state in JavaScript private (`#`) fields, which a
 * structural copy cannot carry (their methods would throw on the copy).
 */
const PRIVATE_STATE: ReadonlyArray<abstract new (...args: never[]) => object> = [
  MaskedAutoregressiveTransform,
  GeneralCouplingTransform,
  FFJTransform,
  ElementWiseTransform,
  GMM,
  UnconditionalDistribution,
  UnconditionalTransform,
];

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * A standalone structural copy of a module tree: every {@link Module} reachable through
 * fields, arrays, plain objects, `Map`s and `Set`s is re-created with the same prototype
 * and own properties, every {@link Parameter} and {@link Buffer} gets its own copy of
 * the values, and anything else (immutable tensors, functions, other class instances) is
 * shared. Aliasing inside the tree is preserved (a parameter held twice is one parameter
 * in the copy).
 *
 * Modules that keep state in private (`#`) fields cannot be copied this way; for this
 * package's ones (the lazy transforms of the flow families, `GMM`, ...) a
 * {@link ValueError} says so, naming where in the tree the module sits. (Registered flows
 * are copied through `saveFlow`/`loadFlow` instead; see `BayesianModel.sampleModel`.)
 *
 * @example
 * ```ts
 * import { copyModuleTree, MLP } from '@eddy/flows';
 * const original = new MLP(3, 5);
 * const copy = copyModuleTree(original);
 * copy.parameters()[0] !== original.parameters()[0]; // true
 * ```
 * @category Bayesian
 */
export function copyModuleTree<M extends Module>(root: M): M {
  const memo = new Map<object, unknown>();
  const copy = (v: unknown, at: string): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (v instanceof Parameter) return remember(v, new Parameter(v));
    if (v instanceof Buffer) return remember(v, new Buffer(v));
    if (Array.isArray(v)) {
      const out: unknown[] = remember(v, []);
      for (let i = 0; i < v.length; i++) out.push(copy(v[i], `${at}.${i}`));
      return out;
    }
    if (v instanceof Map) {
      const out = remember(v, new Map());
      for (const [k, e] of v) out.set(k, copy(e, `${at}.${String(k)}`));
      return out;
    }
    if (v instanceof Set) {
      const out = remember(v, new Set());
      for (const e of v) out.add(copy(e, at));
      return out;
    }
    if (!(v instanceof Module) && !isPlain(v)) return v;
    const blocked = PRIVATE_STATE.find((C) => v instanceof C);
    if (blocked !== undefined) {
      throw new ValueError(
        `cannot copy ${at === '' ? 'the module' : `'${at}'`}: a ${v.constructor.name} keeps private state that a structural copy cannot carry (copy a registered flow, or give a copy function)`,
      );
    }
    const out = remember(v, Object.create(Object.getPrototypeOf(v)) as object);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key) as PropertyDescriptor;
      const name = typeof key === 'string' ? key : key.toString();
      if ('value' in d) d.value = copy(d.value, at === '' ? name : `${at}.${name}`);
      Object.defineProperty(out, key, d);
    }
    return out;
  };
  const remember = <T>(from: object, to: T): T => {
    memo.set(from, to);
    return to;
  };
  return copy(root, '') as M;
}

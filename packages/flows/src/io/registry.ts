import { ValueError } from '@eddy/core';
import { CNF } from '../continuous.js';
import { NICE, RealNVP } from '../coupling.js';
import { GF } from '../elementwise.js';
import { GMM } from '../gmm.js';
import type { LazyDistribution } from '../lazy.js';
import { MAF } from '../maf.js';
import { NAF, UNAF } from '../neural.js';
import { NCSF, NSF } from '../nsf.js';
import { BPF, SOSPF } from '../polynomial.js';
import { Standardized } from '../standardized.js';

/**
 * A flow class that {@link saveFlow} and {@link loadFlow} can handle: constructed from one
 * options object, which it keeps as `options`.
 *
 * @example
 * ```ts
 * import { type FlowClass, NSF } from '@eddy/flows';
 * const ctor: FlowClass = NSF;
 * ```
 * @category Saving and loading
 */
export type FlowClass = new (options: never) => LazyDistribution;

const registry = new Map<string, FlowClass>();

/**
 * Registers a flow class under a name for {@link saveFlow} / {@link loadFlow} (the name is
 * written to the file, and `loadFlow` rebuilds the class by it). MAF, NSF, NCSF, NICE, CNF,
 * RealNVP, NAF, UNAF, SOSPF, BPF, GF, GMM and {@link Standardized} are registered already.
 * The class must keep its constructor argument as `readonly options`, made of JSON values
 * (plus a `univariate` from {@link ZUKO_UNIVARIATES}, `seed`/`rng`, which are not saved,
 * and flows of registered classes, saved as `{"$flow": class, "options": ...}` and rebuilt
 * before the class that holds them, whose weights must then be part of the holder's
 * state dict, as `Standardized.flow`'s are).
 * Registering the same class under the same name again is a no-op; a name or a class
 * that is already taken by another registration is an error.
 *
 * @example
 * ```ts
 * import { MAF, loadFlow, registerFlowClass, saveFlow } from '@eddy/flows';
 * class MyFlow extends MAF {} // keeps MAF's `readonly options`
 * registerFlowClass('MyFlow', MyFlow);
 * const copy = loadFlow(saveFlow(new MyFlow({ features: 2 }))); // a MyFlow
 * ```
 * @category Saving and loading
 */
export function registerFlowClass(name: string, ctor: FlowClass): void {
  if (typeof name !== 'string' || name === '') throw new ValueError('registerFlowClass: the name must be a non-empty string');
  if (typeof ctor !== 'function') throw new ValueError(`registerFlowClass: ${name} must be a class`);
  const existing = registry.get(name);
  if (existing === ctor) return;
  if (existing !== undefined) throw new ValueError(`registerFlowClass: the name ${JSON.stringify(name)} is already registered for ${existing.name}`);
  for (const [other, c] of registry) {
    if (c === ctor) throw new ValueError(`registerFlowClass: ${ctor.name} is already registered as ${JSON.stringify(other)}`);
  }
  registry.set(name, ctor);
}

/**
 * The names of the registered flow classes (see {@link registerFlowClass}), sorted.
 *
 * @example
 * ```ts
 * import { registeredFlowClasses } from '@eddy/flows';
 * registeredFlowClasses(); // ['BPF', 'CNF', 'GF', 'GMM', 'MAF', ...]
 * ```
 * @category Saving and loading
 */
export function registeredFlowClasses(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Whether `flow` is an instance of a class registered for {@link saveFlow} /
 * {@link loadFlow} (its exact class, not a subclass of one), i.e. whether
 * `loadFlow(saveFlow(flow))` can rebuild it.
 *
 * @example
 * ```ts
 * import { MLP, NSF, isRegisteredFlow } from '@eddy/flows';
 * isRegisteredFlow(new NSF({ features: 2 })); // true
 * isRegisteredFlow(new MLP(2, 2)); // false
 * ```
 * @category Saving and loading
 */
export function isRegisteredFlow(flow: unknown): boolean {
  return classNameOf(flow) !== undefined;
}

/** The registered name of a flow's class, or undefined. @internal */
export const classNameOf = (flow: unknown): string | undefined => {
  const ctor = (flow as object | null)?.constructor;
  return ctor === undefined ? undefined : [...registry].find(([, c]) => c === ctor)?.[0];
};

/** The class registered under `name`, or undefined. @internal */
export const flowClassNamed = (name: string): FlowClass | undefined => registry.get(name);

for (const [name, ctor] of Object.entries({ MAF, NSF, NCSF, NICE, RealNVP, NAF, UNAF, SOSPF, BPF, GF, GMM, CNF, Standardized }))
  registerFlowClass(name, ctor as FlowClass);

import { ValueError } from '@eddy/core';
import type { LazyDistribution } from '../lazy.js';
import { ZUKO_UNIVARIATES } from '../zuko.js';
import { type FlowClass, classNameOf, flowClassNamed, registeredFlowClasses } from './registry.js';

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The key that marks a nested flow in saved options: `{"$flow": "<class>", "options": {...}}`. */
const NESTED = '$flow';

/** Nested flows deeper than this are refused on load (a real model nests one or two). */
const MAX_NESTING = 8;

/** Sets `out[k] = v` as an own data property (also for keys such as `__proto__`). */
const put = (out: Record<string, unknown>, k: string, v: unknown): void => {
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
};

/**
 * JSON-safe copy of a flow's options: no seed/rng, univariate by name, a nested registered
 * flow (e.g. {@link Standardized}'s `flow`) as `{"$flow": class, "options": ...}`; throws
 * on anything else. @internal
 */
export function optionsToObject(options: Record<string, unknown>, path: string): Record<string, unknown> {
  const walk = (v: unknown, at: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ValueError(`saveFlow: ${at} is ${v}, which cannot be saved (only finite numbers)`);
      return v;
    }
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${at}[${i}]`));
    if (typeof v === 'object' && isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) if (e !== undefined) put(out, k, walk(e, `${at}.${k}`));
      return out;
    }
    const nested = classNameOf(v);
    if (nested !== undefined) {
      const o = (v as { options?: unknown }).options;
      if (typeof o !== 'object' || o === null) throw new ValueError(`saveFlow: ${at} (a ${nested}) has no options object to save`);
      return { [NESTED]: nested, options: optionsToObject(o as Record<string, unknown>, `${at}.options`) };
    }
    const kind = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    throw new ValueError(
      `saveFlow: ${at} is a ${kind}, which cannot be saved (options must be numbers, strings, booleans, arrays, plain objects and flows of registered classes)`,
    );
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === 'seed' || k === 'rng' || v === undefined) continue;
    if (k === 'univariate') {
      const name = Object.keys(ZUKO_UNIVARIATES).find((n) => ZUKO_UNIVARIATES[n] === v);
      if (name === undefined) {
        throw new ValueError(
          `saveFlow: ${path}.univariate is not one of ZUKO_UNIVARIATES (${Object.keys(ZUKO_UNIVARIATES).join(', ')}), so it cannot be saved by name`,
        );
      }
      out.univariate = name;
    } else put(out, k, walk(v, `${path}.${k}`));
  }
  return out;
}

/** A nested flow read from saved options, built (inside the allocation limit) by {@link instantiate}. */
class NestedFlow {
  constructor(
    readonly cls: string,
    readonly options: Record<string, unknown>,
  ) {}
}

/** Saved options (parsed JSON) made usable: univariate resolved, nested flows as {@link NestedFlow}s. */
function decodeOptions(cls: string, options: Record<string, unknown>, depth: number): Record<string, unknown> {
  if (Object.hasOwn(options, 'univariate')) {
    const name = options.univariate;
    if (typeof name !== 'string' || !Object.hasOwn(ZUKO_UNIVARIATES, name)) {
      throw new ValueError(
        `loadFlow: unknown univariate ${JSON.stringify(name)} in the saved options of ${cls} (known: ${Object.keys(ZUKO_UNIVARIATES).join(', ')})`,
      );
    }
    options.univariate = ZUKO_UNIVARIATES[name];
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, NESTED)) {
      const name = o[NESTED];
      const keys = Object.keys(o);
      if (keys.length !== 2 || !Object.hasOwn(o, 'options'))
        throw new ValueError(`loadFlow: a nested flow in the saved options of ${cls} must be {"${NESTED}": class, "options": {...}}`);
      if (typeof name !== 'string' || flowClassNamed(name) === undefined) {
        throw new ValueError(
          `loadFlow: unknown nested flow class ${JSON.stringify(name)} in the saved options of ${cls} (registered: ${registeredFlowClasses().join(', ')})`,
        );
      }
      const inner = o.options;
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner))
        throw new ValueError(`loadFlow: the saved options of the nested ${name} are not a JSON object`);
      if (depth + 1 > MAX_NESTING) throw new ValueError(`loadFlow: flows nested more than ${MAX_NESTING} deep in the saved options`);
      return new NestedFlow(name, decodeOptions(name, inner as Record<string, unknown>, depth + 1));
    }
    for (const k of Object.keys(o)) put(o, k, walk(o[k]));
    return o;
  };
  for (const k of Object.keys(options)) if (k !== 'univariate') put(options, k, walk(options[k]));
  return options;
}

/** The options object back from its JSON (univariate resolved, nested flows as {@link NestedFlow}s). @internal */
export function optionsFromJson(cls: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`loadFlow: the saved options of ${cls} are not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValueError(`loadFlow: the saved options of ${cls} are not a JSON object`);
  return decodeOptions(cls, parsed as Record<string, unknown>, 0);
}

/** Builds a registered class from decoded options, its nested flows first. @internal */
export function instantiate(ctor: FlowClass, options: Record<string, unknown>): LazyDistribution {
  const walk = (v: unknown): unknown => {
    if (v instanceof NestedFlow) return instantiate(flowClassNamed(v.cls) as FlowClass, v.options);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null && isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) put(out, k, walk(e));
      return out;
    }
    return v;
  };
  const built: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) put(built, k, walk(v));
  return new ctor(built as never);
}

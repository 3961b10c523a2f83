import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from './atomic-file.js';
import { DTypeError, EddyError, type FloatDType, ShapeError, type Tensor, ValueError, fmtShape, getDefaultDType, isFloat, setDefaultDType, withAllocationLimit } from '@eddy/core';
import { CNF } from './continuous.js';
import { NICE, RealNVP } from './coupling.js';
import { GF } from './elementwise.js';
import { GMM } from './gmm.js';
import type { LazyDistribution } from './lazy.js';
import { MAF } from './maf.js';
import { NAF, UNAF } from './neural.js';
import { NCSF, NSF } from './nsf.js';
import { BPF, SOSPF } from './polynomial.js';
import { readSafetensors } from './io/safetensors-read.js';
import { writeSafetensors } from './io/safetensors-write.js';
import { Standardized } from './standardized.js';
import { ZUKO_UNIVARIATES } from './zuko.js';

/**
 * A flow class that {@link saveFlow} and {@link loadFlow} can handle: constructed from one
 * options object, which it keeps as `options`.
 *
 * @example
 * ```ts
 * const ctor: FlowClass = NSF;
 * ```
 * @category Saving and loading
 */
export type FlowClass = new (options: never) => LazyDistribution;

/**
 * The value of the `format` metadata entry of files written by {@link saveFlow}.
 *
 * @example
 * ```ts
 * readSafetensors(saveFlow(flow)).metadata.format === FLOW_FORMAT; // true
 * ```
 * @category Saving and loading
 */
export const FLOW_FORMAT = 'eddy-flow/1';

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
 * class MyFlow extends Flow { constructor(readonly options: { features: number }) { super(...); } }
 * registerFlowClass('MyFlow', MyFlow);
 * loadFlow(saveFlow(new MyFlow({ features: 2 })));
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
 * registeredFlowClasses(); // ['BPF', 'GF', 'GMM', 'MAF', ...]
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
 * isRegisteredFlow(new NSF({ features: 2 })); // true
 * isRegisteredFlow(new MLP(2, 2)); // false
 * ```
 * @category Saving and loading
 */
export function isRegisteredFlow(flow: unknown): boolean {
  return classNameOf(flow) !== undefined;
}

for (const [name, ctor] of Object.entries({ MAF, NSF, NCSF, NICE, RealNVP, NAF, UNAF, SOSPF, BPF, GF, GMM, CNF, Standardized })) registerFlowClass(name, ctor as FlowClass);

// ---------------------------------------------------------------------------------------
// Options <-> JSON

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

/** The registered name of a flow's class, or undefined. */
const classNameOf = (flow: unknown): string | undefined => {
  const ctor = (flow as object | null)?.constructor;
  return ctor === undefined ? undefined : [...registry].find(([, c]) => c === ctor)?.[0];
};

/**
 * JSON-safe copy of a flow's options: no seed/rng, univariate by name, a nested registered
 * flow (e.g. {@link Standardized}'s `flow`) as `{"$flow": class, "options": ...}`; throws
 * on anything else.
 */
function optionsToObject(options: Record<string, unknown>, path: string): Record<string, unknown> {
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
        throw new ValueError(`saveFlow: ${path}.univariate is not one of ZUKO_UNIVARIATES (${Object.keys(ZUKO_UNIVARIATES).join(', ')}), so it cannot be saved by name`);
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
      throw new ValueError(`loadFlow: unknown univariate ${JSON.stringify(name)} in the saved options of ${cls} (known: ${Object.keys(ZUKO_UNIVARIATES).join(', ')})`);
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
      if (keys.length !== 2 || !Object.hasOwn(o, 'options')) throw new ValueError(`loadFlow: a nested flow in the saved options of ${cls} must be {"${NESTED}": class, "options": {...}}`);
      if (typeof name !== 'string' || !registry.has(name)) {
        throw new ValueError(`loadFlow: unknown nested flow class ${JSON.stringify(name)} in the saved options of ${cls} (registered: ${registeredFlowClasses().join(', ')})`);
      }
      const inner = o.options;
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new ValueError(`loadFlow: the saved options of the nested ${name} are not a JSON object`);
      if (depth + 1 > MAX_NESTING) throw new ValueError(`loadFlow: flows nested more than ${MAX_NESTING} deep in the saved options`);
      return new NestedFlow(name, decodeOptions(name, inner as Record<string, unknown>, depth + 1));
    }
    for (const k of Object.keys(o)) put(o, k, walk(o[k]));
    return o;
  };
  for (const k of Object.keys(options)) if (k !== 'univariate') put(options, k, walk(options[k]));
  return options;
}

/** The options object back from its JSON (univariate resolved, nested flows as {@link NestedFlow}s). */
function optionsFromJson(cls: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`loadFlow: the saved options of ${cls} are not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValueError(`loadFlow: the saved options of ${cls} are not a JSON object`);
  return decodeOptions(cls, parsed as Record<string, unknown>, 0);
}

/** Builds a registered class from decoded options, its nested flows first. */
function instantiate(ctor: FlowClass, options: Record<string, unknown>): LazyDistribution {
  const walk = (v: unknown): unknown => {
    if (v instanceof NestedFlow) return instantiate(registry.get(v.cls) as FlowClass, v.options);
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

// ---------------------------------------------------------------------------------------
// Integrity: CRC-32 (IEEE, as zlib) of the class, the options and the data bytes.

/** CRC-32 of the chunks in order (node:zlib's, continued from chunk to chunk), as 8 hex digits. */
function crc32Hex(chunks: readonly Uint8Array[]): string {
  let c = 0;
  for (const bytes of chunks) c = crc32(bytes, c);
  return (c >>> 0).toString(16).padStart(8, '0');
}

/** The checksum of a flow file: class, options and the data section after the header. */
function flowChecksum(cls: string, options: string, data: Uint8Array): string {
  return crc32Hex([new TextEncoder().encode(`${cls}\n${options}\n`), data]);
}

const CRC_PLACEHOLDER = '00000000';

/** First index of `needle` in `haystack` (the placeholder is always in the header). */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new EddyError('saveFlow: checksum placeholder not found');
}

/** The data section of a safetensors file (after the 8-byte length and the header). */
function dataSection(bytes: Uint8Array): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + n);
}

// ---------------------------------------------------------------------------------------
// Save / load

/**
 * Saves a flow — its registered class name, its constructor options and every parameter
 * and buffer — as safetensors bytes. The header metadata is
 * `{"format": "eddy-flow/1", "class": "<name>", "options": "<JSON>", "crc32": "<hex>"}`:
 * options are saved without `seed`/`rng` (the weights are in the file) and with a
 * `univariate` by its name in {@link ZUKO_UNIVARIATES}; `crc32` is the CRC-32 of
 * `"<class>\n<options>\n"` followed by the data bytes, so {@link loadFlow} detects any
 * corruption. The tensors keep zuko's state-dict names, so the file is also a valid
 * state dict for `safetensors.torch.load_file`.
 *
 * Throws a {@link ValueError} for an unregistered class (see {@link registerFlowClass})
 * or options that cannot be saved (an unregistered univariate, a non-finite number, a
 * class instance).
 *
 * @example
 * ```ts
 * const bytes = saveFlow(new NSF({ features: 2, hiddenFeatures: [32, 32] }));
 * const copy = loadFlow(bytes);
 * ```
 * @category Saving and loading
 */
export function saveFlow(flow: LazyDistribution): Uint8Array {
  const ctor = (flow as object | null)?.constructor;
  const cls = classNameOf(flow);
  if (cls === undefined) {
    throw new ValueError(`saveFlow: ${ctor?.name ?? String(flow)} is not a registered flow class (call registerFlowClass first; registered: ${registeredFlowClasses().join(', ')})`);
  }
  const options = (flow as unknown as { options?: unknown }).options;
  if (typeof options !== 'object' || options === null) throw new ValueError(`saveFlow: ${cls} has no options object to save`);
  const json = JSON.stringify(optionsToObject(options as Record<string, unknown>, `${cls}.options`));
  const bytes = writeSafetensors(flow.stateDict(), { format: FLOW_FORMAT, class: cls, options: json, crc32: CRC_PLACEHOLDER });
  // The checksum covers the data, which the header does not change: patch it in place.
  const at = indexOf(bytes, new TextEncoder().encode(`"crc32":"${CRC_PLACEHOLDER}"`)) + '"crc32":"'.length;
  bytes.set(new TextEncoder().encode(flowChecksum(cls, json, dataSection(bytes))), at);
  return bytes;
}

/**
 * {@link saveFlow} to a file (written to a temporary file first and then renamed, so an
 * interrupted save never leaves a truncated file under `path`).
 *
 * @example
 * ```ts
 * saveFlowToFile(flow, 'flow.safetensors');
 * const copy = loadFlow('flow.safetensors');
 * ```
 * @category Saving and loading
 */
export function saveFlowToFile(flow: LazyDistribution, path: string): void {
  writeFileAtomic(path, saveFlow(flow));
}

/** Elements a flow may create while it is built beyond 4× what its file stores. */
const ALLOCATION_SLACK = 1 << 20;

/** Options that size a flow: each is a dimension or a count of something the file stores. */
const SIZE_OPTIONS = new Set(['features', 'context', 'transforms', 'hiddenFeatures', 'bins', 'passes', 'components', 'degree', 'polynomials', 'signal', 'freqs']);

/**
 * Rejects saved options that ask for more than the file stores: every size option (at any
 * depth) must be at most the largest dimension or the number of the stored tensors (or 64).
 * A real model never fails this; a crafted one (`hiddenFeatures: [40000, 40000]` in a
 * 13 KB file) fails before anything is allocated.
 */
function checkOptionSizes(cls: string, options: Record<string, unknown>, tensors: readonly Tensor[]): void {
  let limit = Math.max(64, tensors.length);
  for (const t of tensors) for (const d of t.shape) if (d > limit) limit = d;
  const walk = (v: unknown, path: string, sized: boolean): void => {
    if (typeof v === 'number') {
      if (sized && (!Number.isFinite(v) || v > limit)) {
        throw new ValueError(`loadFlow: the saved option ${path} = ${v} is larger than anything the file stores (its tensors allow at most ${limit}): the file is corrupt or crafted`);
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`, sized);
    } else if (typeof v === 'object' && v !== null) for (const [k, e] of Object.entries(v)) walk(e, `${path}.${k}`, sized || SIZE_OPTIONS.has(k));
  };
  for (const [k, v] of Object.entries(options)) if (k !== 'univariate') walk(v, `${cls}.options.${k}`, SIZE_OPTIONS.has(k));
}

/** The bytes of a path or of a byte array. */
function sourceBytes(source: string | Uint8Array, fn: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source === 'string') return readFileSync(source);
  throw new ValueError(`${fn}: expected a file path or a Uint8Array, got ${source === null ? 'null' : typeof source}`);
}

const list = (names: readonly string[]): string => (names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, … (${names.length} in all)`);

/**
 * Loads a flow saved by {@link saveFlow} or {@link saveFlowToFile} (a path or the bytes).
 * The file is untrusted input: its structure and checksum are verified first, then its
 * size options (`features`, `hiddenFeatures`, `bins`, `transforms`, …) are checked
 * against the tensors it stores, and the registered class is rebuilt from the options
 * under an allocation limit (a few times the stored size), so a crafted file fails in
 * milliseconds instead of allocating gigabytes. Then the file's tensors must be exactly
 * the new flow's (same names, shapes and dtypes) and are loaded, through the flow's own
 * `loadStateDict`, which may check the values too ({@link Standardized} requires finite
 * `loc` and a finite positive `scale`). A nested flow (`Standardized`'s inner flow) is
 * rebuilt from its saved class and options under the same checks. A corrupt, truncated or mismatched file throws (a `SafetensorsError` for a broken
 * file; a {@link ValueError}, {@link ShapeError} or {@link DTypeError} naming the problem
 * otherwise) and no flow is returned. A flow saved without a `dtype` option is rebuilt
 * with the dtype of its saved weights.
 *
 * @example
 * ```ts
 * const flow = loadFlow('flow.safetensors') as NSF;
 * flow.call(c).logProb(x);
 * ```
 * @category Saving and loading
 */
export function loadFlow(source: string | Uint8Array): LazyDistribution {
  const bytes = sourceBytes(source, 'loadFlow');
  const { tensors, metadata } = readSafetensors(bytes);
  const format = metadata.format;
  if (format !== FLOW_FORMAT) {
    throw new ValueError(
      format === undefined
        ? 'loadFlow: not an Eddy flow file (no "format" metadata); to load a zuko state dict into a flow use loadZukoFlow'
        : `loadFlow: unsupported format ${JSON.stringify(format)} (expected ${JSON.stringify(FLOW_FORMAT)})`,
    );
  }
  const cls = metadata.class;
  const optionsJson = metadata.options;
  const crc = metadata.crc32;
  if (cls === undefined || optionsJson === undefined || crc === undefined) {
    throw new ValueError(`loadFlow: the file's metadata lacks ${['class', 'options', 'crc32'].filter((k) => metadata[k] === undefined).join(', ')}`);
  }
  // The file is checked before anything is built from it: the checksum, then the options
  // against the tensors it stores.
  const actual = flowChecksum(cls, optionsJson, dataSection(bytes));
  if (actual !== crc) throw new ValueError(`loadFlow: checksum mismatch (file says ${crc}, contents give ${actual}): the file is corrupt or was edited after saving`);
  const ctor = registry.get(cls);
  if (ctor === undefined) throw new ValueError(`loadFlow: unknown flow class ${JSON.stringify(cls)} (registered: ${registeredFlowClasses().join(', ')}; see registerFlowClass)`);
  const options = optionsFromJson(cls, optionsJson);
  const stored = Object.values(tensors).reduce((s, t) => s + t.size, 0);
  checkOptionSizes(cls, options, Object.values(tensors));

  // Without a dtype option the flow takes the default dtype: use the saved weights' one.
  let dtype: FloatDType | undefined;
  if (options.dtype === undefined) {
    const floats = new Set(Object.values(tensors).map((t) => t.dtype).filter(isFloat));
    if (floats.size > 1) throw new DTypeError(`loadFlow: the file mixes ${[...floats].join(' and ')} weights`);
    dtype = [...floats][0];
  }
  let flow: LazyDistribution;
  const previous = getDefaultDType();
  try {
    if (dtype !== undefined) setDefaultDType(dtype);
    // A flow's weights are what the file stores: building it may take a few times that
    // (masks, orders), never more. Options that ask for more fail here, before allocating.
    flow = withAllocationLimit(4 * stored + ALLOCATION_SLACK, `a ${cls} rebuilt from a file that stores ${stored} values`, () => instantiate(ctor, options));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ValueError(`loadFlow: cannot rebuild ${cls} from the saved options ${optionsJson}: ${msg}`);
  } finally {
    setDefaultDType(previous);
  }

  const own = flow.stateDict();
  const missing = Object.keys(own).filter((k) => !Object.hasOwn(tensors, k));
  const unexpected = Object.keys(tensors).filter((k) => !Object.hasOwn(own, k));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new ValueError(
      `loadFlow: the file's tensors do not match a ${cls} built from its options: missing [${list(missing)}], unexpected [${list(unexpected)}]`,
    );
  }
  for (const [k, mine] of Object.entries(own)) {
    const saved = tensors[k] as Tensor;
    if (mine.shape.length !== saved.shape.length || mine.shape.some((d, i) => d !== saved.shape[i])) {
      throw new ShapeError(`loadFlow: ${k} has shape ${fmtShape(saved.shape)} in the file, but a ${cls} built from its options has ${fmtShape(mine.shape)}`);
    }
    if (mine.dtype !== saved.dtype) throw new DTypeError(`loadFlow: ${k} is ${saved.dtype} in the file, but a ${cls} built from its options has ${mine.dtype}`);
  }
  try {
    // A class may check its values as it loads them (Standardized: loc and scale).
    flow.loadStateDict(tensors);
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(`loadFlow: the file's weights are not valid for a ${cls}: ${e.message}`);
    throw e;
  }
  return flow;
}

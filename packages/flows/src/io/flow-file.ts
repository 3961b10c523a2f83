import {
  DTypeError,
  type FloatDType,
  ShapeError,
  type Tensor,
  ValueError,
  fmtShape,
  getDefaultDType,
  isFloat,
  setDefaultDType,
  withAllocationLimit,
} from '@eddy/core';
import type { LazyDistribution } from '../lazy.js';
import { CRC_PLACEHOLDER, fileChecksum, fillChecksum } from './checksum.js';
import { instantiate, optionsFromJson, optionsToObject } from './options-codec.js';
import { classNameOf, flowClassNamed, registeredFlowClasses } from './registry.js';
import { readSafetensors } from './safetensors-read.js';
import { writeSafetensors } from './safetensors-write.js';
import { sourceBytes } from './source-bytes.js';

/**
 * The value of the `format` metadata entry of files written by {@link saveFlow}.
 *
 * @example
 * ```ts
 * import { FLOW_FORMAT, NSF, readSafetensors, saveFlow } from '@eddy/flows';
 * readSafetensors(saveFlow(new NSF({ features: 2 }))).metadata.format === FLOW_FORMAT; // true
 * ```
 * @category Saving and loading
 */
export const FLOW_FORMAT = 'eddy-flow/1';

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
 * import { NSF, loadFlow, saveFlow } from '@eddy/flows';
 * const bytes = saveFlow(new NSF({ features: 2, hiddenFeatures: [32, 32] }));
 * const copy = loadFlow(bytes);
 * ```
 * @category Saving and loading
 */
export function saveFlow(flow: LazyDistribution): Uint8Array {
  const ctor = (flow as object | null)?.constructor;
  const cls = classNameOf(flow);
  if (cls === undefined) {
    throw new ValueError(
      `saveFlow: ${ctor?.name ?? String(flow)} is not a registered flow class (call registerFlowClass first; registered: ${registeredFlowClasses().join(', ')})`,
    );
  }
  const options = (flow as unknown as { options?: unknown }).options;
  if (typeof options !== 'object' || options === null) throw new ValueError(`saveFlow: ${cls} has no options object to save`);
  const json = JSON.stringify(optionsToObject(options as Record<string, unknown>, `${cls}.options`));
  const bytes = writeSafetensors(flow.stateDict(), { format: FLOW_FORMAT, class: cls, options: json, crc32: CRC_PLACEHOLDER });
  // The checksum covers the data, which the header does not change: patch it in place.
  fillChecksum(bytes, cls, json);
  return bytes;
}

/** Elements a flow may create while it is built beyond 4× what its file stores. */
const ALLOCATION_SLACK = 1 << 20;

/** Options that size a flow: each is a dimension or a count of something the file stores. */
const SIZE_OPTIONS = new Set([
  'features',
  'context',
  'transforms',
  'hiddenFeatures',
  'bins',
  'passes',
  'components',
  'degree',
  'polynomials',
  'signal',
  'freqs',
]);

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
        throw new ValueError(
          `loadFlow: the saved option ${path} = ${v} is larger than anything the file stores (its tensors allow at most ${limit}): the file is corrupt or crafted`,
        );
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`, sized);
    } else if (typeof v === 'object' && v !== null) for (const [k, e] of Object.entries(v)) walk(e, `${path}.${k}`, sized || SIZE_OPTIONS.has(k));
  };
  for (const [k, v] of Object.entries(options)) if (k !== 'univariate') walk(v, `${cls}.options.${k}`, SIZE_OPTIONS.has(k));
}

const list = (names: readonly string[]): string => (names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, … (${names.length} in all)`);

/**
 * Loads a flow saved by {@link saveFlow} or {@link saveFlowToFile}: the file's bytes (in
 * any runtime, a browser included) or, on Node.js, its path.
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
 * import { type NSF, loadFlow } from '@eddy/flows';
 * const flow = loadFlow('flow.safetensors') as NSF; // Node.js: a path
 * const same = loadFlow(new Uint8Array(await (await fetch('flow.safetensors')).arrayBuffer())); // anywhere: the bytes
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
  const actual = fileChecksum(cls, optionsJson, bytes);
  if (actual !== crc)
    throw new ValueError(`loadFlow: checksum mismatch (file says ${crc}, contents give ${actual}): the file is corrupt or was edited after saving`);
  const ctor = flowClassNamed(cls);
  if (ctor === undefined)
    throw new ValueError(`loadFlow: unknown flow class ${JSON.stringify(cls)} (registered: ${registeredFlowClasses().join(', ')}; see registerFlowClass)`);
  const options = optionsFromJson(cls, optionsJson);
  const stored = Object.values(tensors).reduce((s, t) => s + t.size, 0);
  checkOptionSizes(cls, options, Object.values(tensors));

  // Without a dtype option the flow takes the default dtype: use the saved weights' one.
  let dtype: FloatDType | undefined;
  if (options.dtype === undefined) {
    const floats = new Set(
      Object.values(tensors)
        .map((t) => t.dtype)
        .filter(isFloat),
    );
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

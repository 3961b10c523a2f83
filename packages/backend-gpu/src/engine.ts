import { createRequire } from 'node:module';
import { BackendError } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
// The pure-JS engine is a hard dependency: importing it registers TensorFlow.js backend
// `cpu` (it does not become TensorFlow.js's active backend until selected below).
import '@tensorflow/tfjs-backend-cpu';

/**
 * The TensorFlow.js engines the GPU backend can run on, in the order they are tried:
 *
 * - `tfjs-node-gpu`: `@tensorflow/tfjs-node-gpu`, libtensorflow with CUDA (the GPU);
 * - `tfjs-node`: `@tensorflow/tfjs-node`, libtensorflow on the CPU (native, multi-threaded);
 * - `tfjs-cpu`: `@tensorflow/tfjs-backend-cpu`, pure JavaScript (always available).
 * @category Engines
 */
export type EngineName = 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs-cpu';

/**
 * The order in which engines are tried when none is named.
 *
 * @example
 * ```ts
 * import { ENGINE_ORDER } from '@eddy/backend-gpu';
 * ENGINE_ORDER[0]; // 'tfjs-node-gpu'
 * ```
 * @category Engines
 */
export const ENGINE_ORDER: readonly EngineName[] = ['tfjs-node-gpu', 'tfjs-node', 'tfjs-cpu'];

/**
 * What {@link engineInfo} reports about the active engine.
 *
 * @example
 * ```ts
 * import { type EngineInfo, engineInfo } from '@eddy/backend-gpu';
 * const info: EngineInfo = engineInfo();
 * info.engine; // 'tfjs-cpu' on a machine without native TensorFlow
 * ```
 * @category Engines
 */
export interface EngineInfo {
  /** The engine in use. */
  readonly engine: EngineName;
  /** The npm package that provides it. */
  readonly package: string;
  /** That package's version. */
  readonly version: string;
  /** The TensorFlow.js backend name it registers (`tensorflow` or `cpu`). */
  readonly tfBackend: string;
  /** `cuda` for tfjs-node-gpu (libtensorflow places ops on the GPU when CUDA loads), else `cpu`. */
  readonly device: 'cuda' | 'cpu';
  /** Whether the engine runs native TensorFlow (libtensorflow). */
  readonly native: boolean;
  /**
   * Whether CUDA may use TensorFloat-32 for float32 matrix products (10-bit mantissa,
   * ~1e-3 relative error, on Ampere and newer GPUs). False unless the environment sets
   * `NVIDIA_TF32_OVERRIDE` to something other than `0` before the engine loads; always
   * false off CUDA.
   */
  readonly tf32: boolean;
  /** How the engine was chosen: named by the caller / EDDY_TFJS_ENGINE, or the first that loaded. */
  readonly selectedBy: 'caller' | 'environment' | 'auto';
  /** Engines tried before it and why each was passed over. */
  readonly skipped: ReadonlyArray<SkippedEngine>;
}

/**
 * An engine passed over during selection, and why.
 * @category Engines
 */
export interface SkippedEngine {
  /** The engine. */
  readonly engine: EngineName;
  /** Why it was not used (first line of the error). */
  readonly reason: string;
}

const PACKAGES: Record<EngineName, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  'tfjs-cpu': '@tensorflow/tfjs-backend-cpu',
};

/**
 * Name of the environment variable that names an engine (`tfjs-node-gpu`, `tfjs-node`, `tfjs-cpu`).
 *
 * @example
 * ```sh
 * EDDY_TFJS_ENGINE=tfjs-cpu node job.mjs
 * ```
 * @category Engines
 */
export const ENGINE_ENV = 'EDDY_TFJS_ENGINE';

// Optional peers are resolved from this package's own location, as npm installs them.
const localRequire = createRequire(import.meta.url);

let active: EngineInfo | undefined;
let logEnabled = process.env.EDDY_GPU_QUIET === undefined || process.env.EDDY_GPU_QUIET === '0';

/**
 * Turns the one start-up line (`[eddy] backend gpu: ...`) on or off (default on; the
 * environment variable `EDDY_GPU_QUIET=1` turns it off).
 *
 * @example
 * ```ts
 * import { setEngineLogging } from '@eddy/backend-gpu';
 * setEngineLogging(false);
 * ```
 * @category Engines
 */
export function setEngineLogging(on: boolean): void {
  logEnabled = on;
}

function versionOf(pkg: string): string {
  try {
    return (localRequire(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0] ?? m;
}

/** Makes `name` TensorFlow.js's active backend; sync backends initialise synchronously. */
function activateTfBackend(name: string): void {
  if (tf.findBackendFactory(name) === null) throw new Error(`TensorFlow.js backend '${name}' is not registered`);
  // Engine.setBackend is async only for backends whose factory returns a promise (wasm,
  // webgpu); for 'cpu' and 'tensorflow' the switch has happened when the call returns.
  void tf.setBackend(name).catch(() => undefined);
  if (tf.getBackend() !== name || tf.findBackend(name) === null) {
    throw new Error(`TensorFlow.js backend '${name}' failed to initialise`);
  }
}

/** Loads one engine; throws with the reason when it is not available. */
function load(engine: EngineName): Omit<EngineInfo, 'selectedBy' | 'skipped'> {
  const pkg = PACKAGES[engine];
  if (engine === 'tfjs-cpu') {
    activateTfBackend('cpu');
    // The pure-JS backend prints a banner recommending tfjs-node on its first write; the
    // start-up line below says the same once, so the banner is switched off.
    const b = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (b !== null && typeof b.firstUse === 'boolean') b.firstUse = false;
    return { engine, package: pkg, version: versionOf(pkg), tfBackend: 'cpu', device: 'cpu', native: false, tf32: false };
  }
  try {
    localRequire.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  let tf32 = false;
  if (engine === 'tfjs-node-gpu') {
    // Float32 results should match the CPU up to float32 rounding, so TensorFloat-32
    // (libtensorflow's default on Ampere/Hopper) is switched off for cuBLAS/cuDNN unless
    // the user chose otherwise. The CUDA libraries read this when they initialise.
    if (process.env.NVIDIA_TF32_OVERRIDE === undefined) process.env.NVIDIA_TF32_OVERRIDE = '0';
    tf32 = process.env.NVIDIA_TF32_OVERRIDE !== '0';
  }
  try {
    // Loading registers TensorFlow.js backend 'tensorflow' (libtensorflow) and selects it.
    localRequire(pkg);
  } catch (e) {
    throw new Error(`${pkg} is installed but failed to load: ${message(e)}`);
  }
  activateTfBackend('tensorflow');
  return {
    engine,
    package: pkg,
    version: versionOf(pkg),
    tfBackend: 'tensorflow',
    device: engine === 'tfjs-node-gpu' ? 'cuda' : 'cpu',
    native: true,
    tf32,
  };
}

function describe(info: EngineInfo): string {
  const what =
    info.engine === 'tfjs-node-gpu'
      ? `CUDA through libtensorflow (ops go to device:GPU:0 when CUDA 11.2 and cuDNN 8.1 load: see libtensorflow's log), TF32 ${info.tf32 ? 'allowed' : 'off'}`
      : info.engine === 'tfjs-node'
        ? 'native TensorFlow on the CPU (no CUDA: @tensorflow/tfjs-node-gpu is not available)'
        : 'pure-JavaScript TensorFlow.js on the CPU (no CUDA, no native TensorFlow: install @tensorflow/tfjs-node-gpu on a CUDA machine)';
  const skipped = info.skipped.length > 0 ? `; skipped ${info.skipped.map((s) => `${s.engine} (${s.reason})`).join(', ')}` : '';
  return `[eddy] backend gpu: TensorFlow.js engine ${info.engine} (${info.package} ${info.version}), ${what}${skipped}`;
}

function isEngineName(v: string): v is EngineName {
  return (ENGINE_ORDER as readonly string[]).includes(v);
}

/**
 * Chooses the TensorFlow.js engine once. With a name (argument, else the environment
 * variable `EDDY_TFJS_ENGINE`) only that engine is tried and a failure throws; without
 * one, {@link ENGINE_ORDER} is tried in turn. Called lazily by the first kernel of the
 * GPU backend; call it yourself to choose, or to fail early. Calling it again with no
 * name (or the active name) returns the active engine; naming another engine after one
 * is active throws (tensors already on the old engine would be stranded).
 *
 * @example
 * ```ts
 * import { useEngine } from '@eddy/backend-gpu';
 * useEngine('tfjs-node-gpu'); // throws if CUDA TensorFlow cannot be loaded
 * ```
 * @category Engines
 */
export function useEngine(name?: EngineName): EngineInfo {
  const fromEnv = process.env[ENGINE_ENV];
  const requested = name ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (active !== undefined) {
    if (requested !== undefined && requested !== active.engine) {
      throw new BackendError(`backend gpu: engine ${active.engine} is already active; ${requested} must be chosen before the first tensor is created`);
    }
    return active;
  }
  if (requested !== undefined) {
    if (!isEngineName(requested)) {
      throw new BackendError(`backend gpu: unknown engine ${JSON.stringify(requested)} (expected one of ${ENGINE_ORDER.join(', ')})`);
    }
    try {
      active = { ...load(requested), selectedBy: name !== undefined ? 'caller' : 'environment', skipped: [] };
    } catch (e) {
      throw new BackendError(`backend gpu: engine ${requested} is not available: ${message(e)}`);
    }
  } else {
    const skipped: SkippedEngine[] = [];
    for (const engine of ENGINE_ORDER) {
      try {
        active = { ...load(engine), selectedBy: 'auto', skipped };
        break;
      } catch (e) {
        skipped.push({ engine, reason: message(e) });
      }
    }
    if (active === undefined) {
      throw new BackendError(`backend gpu: no TensorFlow.js engine could be loaded (${skipped.map((s) => `${s.engine}: ${s.reason}`).join('; ')})`);
    }
  }
  if (logEnabled) console.info(describe(active));
  return active;
}

/**
 * The active engine, choosing it first if needed (see {@link useEngine}).
 *
 * @example
 * ```ts
 * import { engineInfo } from '@eddy/backend-gpu';
 * engineInfo().device; // 'cuda' with tfjs-node-gpu
 * ```
 * @category Engines
 */
export function engineInfo(): EngineInfo {
  return active ?? useEngine();
}

/**
 * Name of the active engine, choosing it first if needed.
 *
 * @example
 * ```ts
 * import { engineName } from '@eddy/backend-gpu';
 * engineName(); // 'tfjs-node-gpu' | 'tfjs-node' | 'tfjs-cpu'
 * ```
 * @category Engines
 */
export function engineName(): EngineName {
  return engineInfo().engine;
}

/**
 * Whether an engine has been chosen yet (does not choose one).
 *
 * @category Engines
 */
export function engineChosen(): boolean {
  return active !== undefined;
}

import { kernelInfo, useNativeKernels } from '@eddy/backend-cpu';
import { type Backend, type FloatDType, getBackend, getDefaultDType, listBackends, setBackend, setDefaultDType } from '@eddy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The backend configurations {@link describeBackends} knows: the CPU backend with its
 * TypeScript kernels, the CPU backend with the native kernels of `@eddy/cpu-native`, and
 * the TensorFlow.js backend `gpu` (float32 only).
 *
 * @example
 * ```ts
 * const c: BackendConfig = 'cpu-native';
 * ```
 */
export type BackendConfig = 'cpu-ts' | 'cpu-native' | 'gpu';

/** Every configuration, in the order they run. */
export const BACKEND_CONFIGS: readonly BackendConfig[] = ['cpu-ts', 'cpu-native', 'gpu'];

/** What the body of {@link describeBackends} gets: the configuration under test. */
export interface BackendContext {
  /** The configuration's name (`cpu-ts`, `cpu-native`, `gpu`). */
  config: BackendConfig;
  /** The backend it runs on (active while the body's tests run). */
  backend: Backend;
  /** The float dtype of this pass (also the default dtype while it runs). */
  dtype: FloatDType;
  /** Relative tolerance of values for this dtype on this configuration. */
  rtol: number;
}

/** Options of {@link describeBackends}. */
export interface DescribeBackendsOptions {
  /** Configurations to run (default: all of {@link BACKEND_CONFIGS}). */
  backends?: readonly BackendConfig[];
  /** Float dtypes to run (default float64 and float32; a backend that cannot store one skips it, named in its label). */
  dtypes?: readonly FloatDType[];
  /** Relative tolerance per dtype (default float64 1e-10, float32 2e-5). */
  rtol?: Partial<Record<FloatDType, number>>;
}

const DEFAULT_RTOL: Record<FloatDType, number> = { float64: 1e-10, float32: 2e-5 };

/** Whether a configuration can run in this process, and if not, why. */
export function backendAvailability(config: BackendConfig): { available: boolean; reason: string } {
  if (config === 'gpu') {
    return listBackends().includes('gpu')
      ? { available: true, reason: '' }
      : {
          available: false,
          reason: "backend 'gpu' is not registered: this test file does not import '@eddy/backend-gpu' (packages/backend-gpu/test runs these suites on it)",
        };
  }
  if (!listBackends().includes('cpu')) return { available: false, reason: "backend 'cpu' is not registered" };
  if (config === 'cpu-ts') return { available: true, reason: '' };
  const was = kernelInfo().native;
  const on = useNativeKernels(true);
  const reason = on ? '' : kernelInfo().reason;
  useNativeKernels(was);
  return { available: on, reason };
}

/** Why a configuration may be absent without that being a failure. */
function expectedAbsence(config: BackendConfig, reason: string): void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  if (config === 'cpu-native') {
    // CI builds the addon and sets EDDY_REQUIRE_NATIVE=1: there, a missing addon is a failure.
    expect(env.EDDY_REQUIRE_NATIVE, `native kernels required but absent: ${reason}`).not.toBe('1');
    expect(reason).toMatch(/EDDY_NATIVE=0|is not available|not built|no native|unsupported|cannot|failed/i);
  } else if (config === 'gpu') {
    expect(env.EDDY_REQUIRE_GPU, `gpu required but absent: ${reason}`).not.toBe('1');
    expect(listBackends()).not.toContain('gpu');
  } else {
    throw new Error(`${config} should always be available: ${reason}`);
  }
}

/**
 * tfjs's test pattern: runs the same test body on every backend configuration this
 * process has. For each configuration of `options.backends` that is available it opens a
 * `describe('<name> [<config>]')`, activates it in `beforeAll` (`setBackend`, and for
 * `cpu` the TypeScript or native kernel table), restores the previous backend and kernels
 * in `afterAll`, and calls `fn(ctx)` once per dtype the backend stores (each in its own
 * `describe`, with that dtype as the default dtype). A configuration that is not
 * available is not skipped silently: it gets a test named after it that asserts why
 * (`cpu-native` is absent only with `EDDY_NATIVE=0` or no built addon, never under
 * `EDDY_REQUIRE_NATIVE=1`; `gpu` only where the test file does not import it).
 *
 * @example
 * ```ts
 * describeBackends('exp', ({ dtype, rtol }) => {
 *   it('exp(0) = 1', () => expect(exp(zeros([2], { dtype })).dataSync()[0]).toBeCloseTo(1));
 * });
 * ```
 */
export function describeBackends(name: string, fn: (ctx: BackendContext) => void, options: DescribeBackendsOptions = {}): void {
  const configs = options.backends ?? BACKEND_CONFIGS;
  const dtypes = options.dtypes ?? (['float64', 'float32'] as const);
  for (const config of configs) {
    const { available, reason } = backendAvailability(config);
    if (!available) {
      describe(`${name} [${config}]`, () => {
        it(`${config} is not available here: ${reason}`, () => expectedAbsence(config, reason));
      });
      continue;
    }
    const backendName = config === 'gpu' ? 'gpu' : 'cpu';
    const run = dtypes.filter((d) => getBackendByName(backendName).dtypes.includes(d));
    const left = dtypes.filter((d) => !run.includes(d));
    const label = left.length === 0 ? config : `${config}, ${run.join('/')} only`;
    describe(`${name} [${label}]`, () => {
      let previous: string | undefined;
      let previousNative = false;
      beforeAll(() => {
        try {
          previous = getBackend().name;
        } catch {
          previous = undefined;
        }
        previousNative = kernelInfo().native;
        setBackend(backendName);
        if (config === 'cpu-ts') useNativeKernels(false);
        if (config === 'cpu-native') expect(useNativeKernels(true), 'native kernels').toBe(true);
      });
      afterAll(() => {
        useNativeKernels(previousNative);
        if (previous !== undefined) setBackend(previous);
      });
      for (const dtype of run) {
        describe(dtype, () => {
          let previousDType: ReturnType<typeof getDefaultDType>;
          beforeAll(() => {
            previousDType = getDefaultDType();
            setDefaultDType(dtype);
          });
          afterAll(() => {
            setDefaultDType(previousDType);
          });
          fn({ config, backend: getBackendByName(backendName), dtype, rtol: options.rtol?.[dtype] ?? DEFAULT_RTOL[dtype] });
        });
      }
    });
  }
}

function getBackendByName(name: string): Backend {
  const previous = getBackend();
  const b = setBackend(name);
  setBackend(previous.name);
  return b;
}

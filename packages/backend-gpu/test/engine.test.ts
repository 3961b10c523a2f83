import '@eddy/backend-cpu';
import { ENGINE_ORDER, GpuBackend, engineInfo, engineName, gpuBackend, useEngine } from '@eddy/backend-gpu';
import { BackendError, DTypeError, getBackend, listBackends, registerBackend, tensor } from '@eddy/core';
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetFloat64Warning } from '../src/dtype.js';

// Read before any test changes it: '@eddy/backend-cpu' was imported first, so it is active.
const activeAtImport = getBackend().name;
const resolves = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe('registration', () => {
  it("registers 'gpu' on import without displacing a backend registered before it", () => {
    expect(listBackends()).toEqual(expect.arrayContaining(['cpu', 'gpu']));
    expect(activeAtImport).toBe('cpu');
    expect(gpuBackend.manualMemory).toBe(true);
    expect(gpuBackend.dtypes).toEqual(['float32', 'int32', 'bool']);
  });
});

describe('engine selection', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('tries tfjs-node-gpu, then tfjs-node, then the pure-JS engine, and says which is active', () => {
    const info = engineInfo();
    expect(engineName()).toBe(info.engine);
    const at = ENGINE_ORDER.indexOf(info.engine);
    if (info.selectedBy === 'auto') expect(info.skipped.map((s) => s.engine)).toEqual(ENGINE_ORDER.slice(0, at));
    expect(tf.getBackend()).toBe(info.tfBackend);
    if (!resolves('@tensorflow/tfjs-node-gpu') && !resolves('@tensorflow/tfjs-node')) {
      // CI: neither native package can be installed.
      expect(info).toMatchObject({
        engine: 'tfjs-cpu',
        tfBackend: 'cpu',
        device: 'cpu',
        native: false,
        package: '@tensorflow/tfjs-backend-cpu',
        version: '4.22.0',
      });
      expect(info.skipped[0]?.reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    }
    if (info.engine === 'tfjs-node-gpu') expect(info.device).toBe('cuda');
  });

  it('naming another engine once one is active is an error', () => {
    engineInfo();
    const other = ENGINE_ORDER.find((e) => e !== engineName()) as (typeof ENGINE_ORDER)[number];
    expect(() => useEngine(other)).toThrow(BackendError);
    expect(useEngine(engineName())).toBe(engineInfo());
  });

  it('a named engine (argument or EDDY_TFJS_ENGINE) is the only one tried; the start-up line is logged once', async () => {
    vi.resetModules();
    const fresh = await import('../src/engine.js');
    fresh.setEngineLogging(true);
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    if (!resolves('@tensorflow/tfjs-node')) {
      vi.stubEnv('EDDY_TFJS_ENGINE', 'tfjs-node');
      expect(() => fresh.useEngine()).toThrow(/engine tfjs-node is not available: @tensorflow\/tfjs-node is not installed/);
    }
    vi.stubEnv('EDDY_TFJS_ENGINE', 'webgl');
    expect(() => fresh.useEngine()).toThrow(/unknown engine "webgl"/);
    vi.unstubAllEnvs();
    const picked = fresh.useEngine(engineName());
    expect(picked.selectedBy).toBe('caller');
    fresh.useEngine();
    fresh.engineInfo();
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0]?.[0])).toMatch(new RegExp(`^\\[eddy\\] backend gpu: TensorFlow.js engine ${engineName()} `));
  });
});

describe('dtypes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('float64 (policy warn, the default): stored as float32, one warning, reads back as Float64Array', () => {
    resetFloat64Warning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const a = tensor([0.1, 1 / 3], { dtype: 'float64', backend: gpuBackend });
    const b = a.add(tensor([1, 2], { dtype: 'float64', backend: gpuBackend }));
    expect(b.dtype).toBe('float64');
    const v = b.dataSync();
    expect(v).toBeInstanceOf(Float64Array);
    expect(Array.from(v)).toEqual([Math.fround(Math.fround(0.1) + 1), Math.fround(Math.fround(1 / 3) + 2)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/float64 tensors are stored and computed as float32/);
  });

  it("float64 with policy 'error' is rejected clearly; 'silent' converts without a word", () => {
    const strict = new GpuBackend({ name: 'gpu-strict', float64: 'error' });
    registerBackend(strict);
    expect(() => tensor([1], { dtype: 'float64', backend: strict })).toThrow(DTypeError);
    expect(() => tensor([1], { dtype: 'float64', backend: strict })).toThrow(/TensorFlow.js stores float32 only/);
    resetFloat64Warning();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const quiet = new GpuBackend({ name: 'gpu-quiet', float64: 'silent' });
    expect(tensor([1.5], { dtype: 'float64', backend: quiet }).item()).toBe(1.5);
    expect(warn).not.toHaveBeenCalled();
  });

  it('int32 and bool are stored natively', () => {
    const i = tensor(Int32Array.from([-3, 7, 2147483647]), { dtype: 'int32', backend: gpuBackend });
    expect(i.dataSync()).toBeInstanceOf(Int32Array);
    expect(Array.from(i.add(tensor(Int32Array.from([1, 1, 0]), { backend: gpuBackend })).dataSync())).toEqual([-2, 8, 2147483647]);
    const m = tensor([true, false, true], { backend: gpuBackend });
    expect(m.dtype).toBe('bool');
    expect(m.dataSync()).toBeInstanceOf(Uint8Array);
    expect(m.toArray()).toEqual([true, false, true]);
  });

  it('read() resolves without blocking, like readSync', async () => {
    const x = tensor([1, 2, 3], { dtype: 'float32', backend: gpuBackend });
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
  });
});

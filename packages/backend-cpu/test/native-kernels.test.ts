import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jsKernels, kernelInfo, kernels, useNativeKernels } from '@eddy/backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript helper shared with the subprocess checks
import { compareKernels, rowIndependence } from './kernel-parity.mjs';

interface Row {
  kernel: string;
  dtype: string;
  worst: number;
}

const info = kernelInfo();
// CI builds the addon and sets EDDY_REQUIRE_NATIVE=1, so a broken native build fails here
// instead of silently running the TypeScript kernels.
const required = process.env.EDDY_REQUIRE_NATIVE === '1';

describe('kernel table', () => {
  afterAll(() => {
    useNativeKernels(info.native);
  });

  it('holds the native kernels when they were built, else the TypeScript ones with a reason', () => {
    if (required) expect(info.native, info.reason).toBe(true);
    if (info.native) {
      expect(['avx512', 'avx2', 'generic']).toContain(info.isa);
      expect(info.nativeKernels).toEqual(Object.keys(jsKernels));
    } else {
      expect(info.reason).not.toBe('');
      for (const k of Object.keys(jsKernels) as Array<keyof typeof jsKernels>) expect(kernels[k]).toBe(jsKernels[k]);
    }
  });

  it('agrees with the TypeScript kernels within each kernel’s error bound', () => {
    const results = compareKernels(kernels, jsKernels) as Row[];
    expect(results.length).toBeGreaterThan(30);
    const bad = results.filter((r) => !(r.worst <= 1));
    expect(bad, JSON.stringify(bad)).toEqual([]);
  });

  it('computes every row independently of the others (bit for bit)', () => {
    expect(rowIndependence(kernels)).toEqual([]);
  });

  it('switches between native and TypeScript kernels', () => {
    expect(useNativeKernels(false)).toBe(false);
    expect(kernels.linear).toBe(jsKernels.linear);
    expect(kernelInfo().isa).toBe('typescript');
    expect(useNativeKernels(true)).toBe(info.native);
  });
});

// Every code path this CPU can run, each in its own process (the path is chosen at load).
const script = fileURLToPath(new URL('./native-isa-check.mjs', import.meta.url));
const supported = info.native ? (['avx512', 'avx2', 'generic'] as const) : [];
describe.each(supported.map((isa) => ({ isa })))('native $isa code path', ({ isa }) => {
  it('matches the TypeScript kernels and keeps rows independent', () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [script], { env: { ...process.env, EDDY_NATIVE_ISA: isa }, encoding: 'utf8' });
    } catch (e) {
      throw new Error(`native-isa-check.mjs failed for ${isa}: ${(e as Error).message}`);
    }
    const r = JSON.parse(out.trim().split('\n').pop() as string) as { isa: string; native: boolean; results: Row[]; rowIndependence: string[] };
    expect(r.native).toBe(true);
    // A CPU without AVX-512 runs the AVX2 path when asked for AVX-512 (the addon says so).
    if (isa !== 'avx512' || r.isa === 'avx512') expect(r.isa).toBe(isa);
    const bad = r.results.filter((q) => !(q.worst <= 1));
    expect(bad, JSON.stringify(bad)).toEqual([]);
    expect(r.rowIndependence).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNative } from '@eddy/cpu-native';
import { describe, expect, it } from 'vitest';

const built = existsSync(fileURLToPath(new URL('../build/eddy_native.node', import.meta.url)));
const required = process.env.EDDY_REQUIRE_NATIVE === '1';

describe('@eddy/cpu-native loader', () => {
  const { kernels, reason } = loadNative();

  it('loads the addon when it was built, and says why not otherwise', () => {
    if (required) expect(built, 'EDDY_REQUIRE_NATIVE=1 but the addon was not built').toBe(true);
    if (process.env.EDDY_NATIVE === '0') {
      expect(kernels).toBeNull();
      expect(reason).toMatch(/EDDY_NATIVE=0/);
    } else if (built) {
      expect(reason).toBe('');
      expect(kernels).not.toBeNull();
    } else {
      expect(kernels).toBeNull();
      expect(reason).toMatch(/not built/);
    }
  });

  it('reports the code path it chose from the CPU features', () => {
    if (kernels === null) {
      expect(reason).not.toBe('');
      return;
    }
    const info = kernels.info();
    expect(['avx512', 'avx2', 'generic']).toContain(info.isa);
    if (info.isa === 'avx512') expect(info.cpu.avx512).toBe(true);
    if (info.isa === 'avx2') expect(info.cpu.avx2).toBe(true);
    expect(info.lanesF32).toBe(info.isa === 'avx512' ? 16 : info.isa === 'avx2' ? 8 : 1);
  });

  it('multiplies matrices (2×3 · 3×2 by hand)', () => {
    if (kernels === null) {
      expect(reason).not.toBe('');
      return;
    }
    for (const T of [Float32Array, Float64Array]) {
      const c = new T(4);
      kernels.gemm(false, false, 2, 2, 3, T.of(1, 2, 3, 4, 5, 6), 0, 3, T.of(7, 8, 9, 10, 11, 12), 0, 2, c, 0, 2, 0);
      expect(Array.from(c)).toEqual([58, 64, 139, 154]);
    }
  });

  it('refuses arguments that would reach outside an array, naming the argument', () => {
    if (kernels === null) {
      expect(reason).not.toBe('');
      return;
    }
    const a = new Float32Array(6);
    const c = new Float32Array(4);
    expect(() => kernels.gemm(false, false, 2, 2, 3, a, 1, 3, a, 0, 2, c, 0, 2, 0)).toThrow(/gemm A: needs index 6 but has 6 elements/);
    expect(() => kernels.gemm(false, false, 2, 2, 3, a, 0, 3, a, 0, 2, new Float64Array(4), 0, 2, 0)).toThrow(/same float type/);
    expect(() => kernels.linear(2, 2, [a], new Float32Array(5), null, 0, c)).toThrow(/W has 5 elements, expected n × K = 6/);
    expect(() => kernels.rqs(10, 8, new Float32Array(10), new Float32Array(229), 5, 1e-3, false, new Float32Array(10), null)).toThrow(/too short/);
    expect(() => kernels.rqs(1, 65, new Float32Array(1), new Float32Array(194), 5, 1e-3, false, new Float32Array(1), null)).toThrow(/K must be in \[1, 64\]/);
    try {
      kernels.colsum(3, 3, new Float32Array(8), new Float32Array(3));
      expect.unreachable();
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EDDY_NATIVE_ARGUMENT');
    }
  });
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Case, FLOAT32_EXCEPTIONS, FLOAT32_TOLERANCE, effectiveTolerance, formatResult, runCase, runCases } from '@eddy/conformance';
// After @eddy/conformance (which imports @eddy/backend-cpu), so cpu stays the active backend.
import '@eddy/backend-gpu';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '@eddy/testing';

const casesDir = referenceDir('cases');

describe('conformance runner over the reference cases', () => {
  it('every case passes: transforms, distributions, flows and mixtures (zuko weights imported)', () => {
    expect(existsSync(casesDir), `reference cases expected at ${casesDir}`).toBe(true);
    const summary = runCases(casesDir);
    const failed = summary.results.filter((r) => r.status === 'FAIL').map(formatResult);
    expect(failed).toEqual([]);
    for (const r of summary.results) expect(r.status, r.name).toBe('PASS');
    expect(summary.passed).toBe(summary.results.length);
    expect(summary.passed).toBeGreaterThanOrEqual(53);
  });
});

describe('conformance runner reports problems instead of hiding them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-conf-'));
  const write = (name: string, body: unknown) => {
    const p = join(dir, `${name}.json`);
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
    return p;
  };
  const base = {
    kind: 'transform',
    spec: { class: 'zuko.transforms.SoftclipTransform', kwargs: { bound: 1.0 } },
    inputs: { x: { dtype: 'float64', shape: [2], data: [0.5, -3] } },
    tolerance: { default: { rtol: 1e-12, atol: 1e-12 } },
  };
  const good = {
    event_dim: 0,
    y: { dtype: 'float64', shape: [2], data: [0.5 / 1.5, -3 / 4] },
    ladj: { dtype: 'float64', shape: [2], data: [-2 * Math.log1p(0.5), -2 * Math.log1p(3)] },
    x_rec: { dtype: 'float64', shape: [2], data: [0.5, -3] },
    inv_ladj: { dtype: 'float64', shape: [2], data: [2 * Math.log1p(0.5), 2 * Math.log1p(3)] },
  };

  it('passes a correct case and fails a wrong value with key and error/tolerance', () => {
    expect(runCase(write('ok', { name: 'ok', ...base, expected: good })).status).toBe('PASS');
    const wrong = { ...good, y: { dtype: 'float64', shape: [2], data: [0.5 / 1.5, -0.7] } };
    const r = runCase(write('wrong', { name: 'wrong', ...base, expected: wrong }));
    expect(r.status).toBe('FAIL');
    expect(formatResult(r)).toMatch(/^FAIL wrong y \d\.\d+e[-+]\d+\/\d\.\d+e[-+]\d+$/);
  });
  it('fails an unknown class and a malformed file, never skips them', () => {
    const r = runCase(write('unknown', { name: 'unknown', ...base, spec: { class: 'zuko.transforms.Nope' }, expected: good }));
    expect(r.status).toBe('FAIL');
    expect(r.detail).toMatch(/no Eddy class for zuko\.transforms\.Nope/);
    expect(runCase(write('broken', '{"name": ')).status).toBe('FAIL');
    expect(runCase(write('missing', { name: 'missing', kind: 'transform' })).detail).toMatch(/missing "spec"/);
  });
  it('infinite expected values must match exactly', () => {
    const inf = { ...good, x_rec: { dtype: 'float64', shape: [2], data: ['inf', -3] } };
    expect(runCase(write('inf', { name: 'inf', ...base, expected: inf })).status).toBe('FAIL');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('float32 runs (--dtype float32)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-conf32-'));
  const c = {
    name: 'softclip32',
    kind: 'transform',
    spec: { class: 'zuko.transforms.SoftclipTransform', kwargs: { bound: 1.0 } },
    inputs: { x: { dtype: 'float64', shape: [2], data: [0.5, -3] } },
    tolerance: { default: { rtol: 1e-12, atol: 1e-12 } },
    expected: {
      event_dim: 0,
      y: { dtype: 'float64', shape: [2], data: [0.5 / 1.5, -3 / 4] },
      ladj: { dtype: 'float64', shape: [2], data: [-2 * Math.log1p(0.5), -2 * Math.log1p(3)] },
      x_rec: { dtype: 'float64', shape: [2], data: [0.5, -3] },
      inv_ladj: { dtype: 'float64', shape: [2], data: [2 * Math.log1p(0.5), 2 * Math.log1p(3)] },
    },
  };
  const path = join(dir, 'softclip32.json');
  writeFileSync(path, JSON.stringify(c));

  it('float64 keeps every case tolerance exactly; float32 floors it at atol = rtol = 1e-4', () => {
    const tol = { default: { rtol: 1e-12, atol: 1e-11 }, y: { rtol: 1e-3, atol: 0 } };
    const k = { ...c, tolerance: tol } as unknown as Case;
    expect(effectiveTolerance(k, 'ladj', 'float64')).toEqual(tol.default);
    expect(effectiveTolerance(k, 'y', 'float64')).toEqual(tol.y);
    expect(effectiveTolerance(k, 'ladj', 'float32')).toEqual(FLOAT32_TOLERANCE);
    expect(effectiveTolerance(k, 'y', 'float32')).toEqual({ rtol: 1e-3, atol: 1e-4 });
    expect(FLOAT32_TOLERANCE).toEqual({ atol: 1e-4, rtol: 1e-4 });
  });

  it('a case with float64 tolerances passes on the gpu backend in float32 under the floor', () => {
    expect(runCase(path).status).toBe('PASS');
    expect(runCases(dir, { backend: 'gpu', dtype: 'float32' }).passed).toBe(1);
  });

  it('every float32 exception says why, and a skip makes the case SKIP (never PASS)', () => {
    for (const [name, keys] of Object.entries(FLOAT32_EXCEPTIONS)) {
      for (const [key, ex] of Object.entries(keys)) {
        expect(ex.why.length, `${name}.${key}`).toBeGreaterThan(20);
        expect(ex.skip !== undefined || (ex.atol ?? 0) > 0 || (ex.rtol ?? 0) > 0).toBe(true);
      }
    }
    // The one skip: reported SKIP with its reason, on the gpu backend too.
    const one = runCase(join(casesDir, 'dist_Maximum_Normal_n4.json'), { dtype: 'float32' });
    expect(one.status).toBe('SKIP');
    expect(one.detail).toMatch(/float32: log_prob not compared: zuko's Normal.cdf/);
    rmSync(dir, { recursive: true, force: true });
  });
});

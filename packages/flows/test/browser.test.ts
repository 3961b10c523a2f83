// Eddy in a browser (issue 15 §4): the browser-capable packages bundle for the browser
// with no Node.js import, the CRC-32 of flow files is the same in TypeScript as node:zlib's,
// and loading from a path without a file system says to pass the bytes.
import '@eddy/backend-cpu';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { ValueError } from '@eddy/core';
import { MAF, loadFlow, loadZukoFlow, saveFlow } from '@eddy/flows';
import { type Metafile, build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from '../src/io/crc32.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Bundles `import * as m from '<specifier>'` for the browser (esbuild, platform 'browser':
 * the "browser" export condition, no Node.js built-ins), resolving the built packages the
 * way a user's bundler does (node_modules → package.json "exports" → dist).
 */
async function bundleForBrowser(specifier: string): Promise<{ metafile: Metafile; code: string }> {
  const r = await build({
    stdin: { contents: `import * as m from '${specifier}';\nglobalThis.eddy = m;\n`, resolveDir: here, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // No `paths`: @eddy/* resolve through node_modules to the built packages, not to src.
    tsconfig: join(here, '..', 'tsconfig.build.json'),
    absWorkingDir: join(here, '..', '..', '..'),
  });
  return { metafile: r.metafile, code: r.outputFiles.map((f) => f.text).join('\n') };
}

/** Modules left as imports in the bundle (a Node.js built-in would be one). */
const externalImports = (m: Metafile): string[] => Object.values(m.outputs).flatMap((o) => o.imports.map((i) => i.path));

describe('browser bundles: no Node.js import on the default path', () => {
  for (const pkg of ['@eddy/core', '@eddy/backend-cpu', '@eddy/transforms', '@eddy/distributions', '@eddy/flows']) {
    it(`${pkg} bundles for the browser with nothing external`, async () => {
      const { metafile, code } = await bundleForBrowser(pkg);
      expect(externalImports(metafile)).toEqual([]);
      expect(code).not.toMatch(/\bfrom\s*["']node:|\brequire\(\s*["'](node:)?(fs|path|zlib|os|module|worker_threads|child_process)["']\)/);
      expect(Object.keys(metafile.inputs).length).toBeGreaterThan(1);
    }, 60_000);
  }

  it('@eddy/flows resolves to its browser build there, which leaves the Node.js file helpers out', async () => {
    const { metafile, code } = await bundleForBrowser('@eddy/flows');
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((p) => p === 'packages/flows/dist/browser.js')).toBe(true);
    expect(inputs.some((p) => p === 'packages/flows/dist/index.js' || p === 'packages/flows/dist/node.js')).toBe(false);
    expect(code).toMatch(/\bNSF = class extends/);
    expect(code).not.toMatch(/\bAtomicFile = class\b|class AtomicFile\b/);
  }, 60_000);

  it('the check fails for a module that imports a Node.js built-in (@eddy/flows/node)', async () => {
    await expect(bundleForBrowser('@eddy/flows/node')).rejects.toThrow(/node:fs|node:path/);
  }, 60_000);
});

describe('CRC-32 of flow files: TypeScript and node:zlib agree', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('gives the known CRC-32 (IEEE) values', () => {
    // The standard check value, and two textbook ones.
    expect(crc32Portable(bytes('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(bytes('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32Portable(bytes('a'))).toBe(0xe8b7be43);
    expect(crc32Portable(new Uint8Array(0))).toBe(0);
    expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
  });

  it('is node:zlib crc32 on Node.js, and the portable one equals it on any bytes, also continued chunk by chunk', () => {
    expect(crc32).toBe(zlibCrc32);
    let seed = 12345;
    for (const n of [1, 3, 255, 256, 1000, 65_537]) {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        data[i] = seed >>> 24;
      }
      expect(crc32Portable(data)).toBe(zlibCrc32(data));
      const cut = n >> 1;
      expect(crc32Portable(data.subarray(cut), crc32Portable(data.subarray(0, cut)))).toBe(zlibCrc32(data));
    }
  });
});

describe('loading without a file system', () => {
  it('loadFlow and loadZukoFlow take bytes; a path without node:fs throws a ValueError that says to pass the bytes', () => {
    const flow = new MAF({ features: 2, hiddenFeatures: [8], seed: 1 });
    const bytes = saveFlow(flow);
    const proc = process as { getBuiltinModule?: unknown };
    const original = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(loadFlow(bytes).parameters().length).toBe(flow.parameters().length);
      expect(() => loadFlow('flow.safetensors')).toThrow(ValueError);
      expect(() => loadFlow('flow.safetensors')).toThrow(
        /loadFlow: cannot read the file "flow.safetensors": there is no file system here .*pass the file's bytes instead/,
      );
      expect(() => loadZukoFlow(new MAF({ features: 2, hiddenFeatures: [8] }), 'zuko.safetensors')).toThrow(/loadZukoFlow: cannot read the file/);
    } finally {
      proc.getBuiltinModule = original;
    }
    expect(() => loadFlow('/nonexistent/flow.safetensors')).toThrow(/ENOENT/);
  });
});

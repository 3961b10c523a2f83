import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Vitest config shared by every package: `@eddy/*` imports resolve to the TypeScript
 * sources, so tests never depend on a stale build.
 */
export function packageTestConfig(): ReturnType<typeof defineConfig> {
  return defineConfig({
    resolve: {
      alias: [
        { find: /^@eddy\/testing$/, replacement: `${root}tools/testing/src/index.ts` },
        { find: /^@eddy\/conformance$/, replacement: `${root}tools/conformance/src/index.ts` },
        { find: /^@eddy\/cli$/, replacement: `${root}apps/cli/src/index.ts` },
        { find: /^@eddy\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      ],
    },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      pool: 'forks',
      // The JSON report feeds the one-line total that .ci/run prints.
      reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
    },
  });
}

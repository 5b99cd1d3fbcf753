import { defineConfig } from 'vitest/config';

/**
 * Workspace packages export their TypeScript sources under this condition and their compiled
 * dist/ otherwise (plain `node` in production). Tests always run the sources: the condition
 * goes to Vite's resolver, and through NODE_OPTIONS to every process a test spawns with
 * `node --import tsx`.
 */
const SOURCE_CONDITION = '@switchyard/source';

export default defineConfig({
  // Vite's default server conditions, after ours ('module' is left out, as Vitest does).
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: {
      NODE_OPTIONS: [`--conditions=${SOURCE_CONDITION}`, process.env.NODE_OPTIONS ?? ''].join(' ').trim(),
    },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources, so tests never need a build first.
  resolve: { conditions: ['@icrl/source'] },
  ssr: { resolve: { conditions: ['@icrl/source'] } },
  // Learning tests train real learners (seconds each alone); CI runs every package's tests at once on 2 cores.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 },
});

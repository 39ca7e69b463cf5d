import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources, so tests never need a build first.
  resolve: { conditions: ['@icrl/source'] },
  ssr: { resolve: { conditions: ['@icrl/source'] } },
  // Generous timeout: CI shares 2 cores between packages; a test's own budget is set by its workload, not by this.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 },
});

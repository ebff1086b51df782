import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources of every workspace package (no build needed).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^fvm-sim\/testing$/, replacement: src('./packages/fvm-sim/src/testing/index.ts') },
      { find: /^fvm-sim$/, replacement: src('./packages/fvm-sim/src/index.ts') },
      { find: /^@fvm-sim\/actors-builtin\/vitest$/, replacement: src('./packages/actors-builtin/src/devnet/matchers.ts') },
      { find: /^@fvm-sim\/actors-builtin$/, replacement: src('./packages/actors-builtin/src/index.ts') },
      { find: /^@fvm-sim\/examples$/, replacement: src('./packages/examples/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts'],
    setupFiles: ['./scripts/vitest.setup.ts'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', demo: 'src/demo.ts', bench: 'src/bench/bench.ts' },
  format: ['esm', 'cjs'],
  // Declarations come from tsc (tsconfig.build.json), as in the other packages.
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The bench's peers are devDependencies: never bundle them.
  external: ['fvm-sim', '@fvm-sim/actors-builtin', 'hardhat', /^@ethereumjs\//],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
});

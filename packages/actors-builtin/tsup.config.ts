import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', vitest: 'src/devnet/matchers.ts' },
  format: ['esm', 'cjs'],
  // Declarations come from tsc (tsconfig.build.json), file by file: tsup's bundled .d.ts drops the
  // value or the type of a name that is both (a codec and its type) inside `export * as ns` namespaces.
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['fvm-sim', 'vitest'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
});

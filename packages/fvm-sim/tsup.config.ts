import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  // Declarations come from tsc (tsconfig.build.json), file by file: tsup's bundled .d.ts drops the
  // value or the type of a name that is both (a codec and its type) inside `export * as ns` namespaces.
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // @ipld/car exports only an `import` condition: bundle it so `require('fvm-sim')` works (tslab, CJS users).
  noExternal: ['@ipld/car'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
});

import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', demo: 'src/demo.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['fvm-sim', '@fvm-sim/actors-builtin'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
});

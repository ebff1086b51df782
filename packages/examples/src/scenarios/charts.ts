/**
 * SVG charts of a {@link runDealExpiryScenario} run, written to files: what the demo draws with
 * `DEMO_CHARTS=<dir>`, and what a script can draw from its own run.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIL } from 'fvm-sim';
import { lineChart } from '../charts/svg.js';
import type { ScenarioSample } from './dealExpiry.js';

const DAY = 2880n;

/**
 * Writes `network-power.svg`, `provider-escrow.svg` and `burnt.svg` into `dir` (created if
 * missing) from the samples of a run, and returns their paths.
 *
 * @example
 * ```ts
 * const run = runDealExpiryScenario({ years: 1, sampleEvery: 2880n });
 * writeScenarioCharts(run.samples, 'charts');
 * ```
 * @throws {@link RangeError} with fewer than two samples (run with `sampleEvery`).
 */
export function writeScenarioCharts(samples: readonly ScenarioSample[], dir: string): string[] {
  if (samples.length < 2) throw new RangeError(`need at least two samples to draw, got ${samples.length}: run the scenario with sampleEvery`);
  const start = samples[0]!.epoch;
  const points = (f: (s: ScenarioSample) => bigint) => samples.map((s) => [s.epoch - start, f(s)] as const);
  const common = { xScale: DAY, xLabel: 'day', width: 640, height: 300 } as const;
  const charts: [string, string][] = [
    ['network-power.svg', lineChart([{ name: 'network QA power (bytes)', points: points((s) => s.networkQaPower), color: '#009E73' }], { ...common, title: 'Network quality-adjusted power', yLabel: 'bytes', step: true })],
    ['provider-escrow.svg', lineChart([{ name: "providers' market escrow", points: points((s) => s.providerEscrow) }], { ...common, title: "Providers' market escrow (payments in, slashed collateral out)", yScale: FIL(1) / 1000n, yLabel: 'milliFIL', zero: false })],
    ['burnt.svg', lineChart([{ name: 'burnt funds', points: points((s) => s.burnt), color: '#D55E00' }], { ...common, title: 'Burnt funds: gas, fault and termination fees', yScale: FIL(1), yLabel: 'FIL', step: true })],
  ];
  mkdirSync(dir, { recursive: true });
  return charts.map(([name, svg]) => {
    const path = join(dir, name);
    writeFileSync(path, `${svg}\n`);
    return path;
  });
}

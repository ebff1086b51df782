import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeScenarioCharts } from './charts.js';
import type { ScenarioSample } from './dealExpiry.js';

const samples: ScenarioSample[] = [
  { epoch: 100n, networkQaPower: 0n, providerEscrow: 10n ** 15n, burnt: 0n },
  { epoch: 100n + 2880n, networkQaPower: 2048n, providerEscrow: 2n * 10n ** 15n, burnt: 10n ** 18n },
  { epoch: 100n + 5760n, networkQaPower: 4096n, providerEscrow: 3n * 10n ** 15n, burnt: 3n * 10n ** 18n },
];

describe('writeScenarioCharts', () => {
  it('writes the three charts, days from the first sample on the x axis', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fvm-sim-charts-')), 'out');
    const paths = writeScenarioCharts(samples, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['network-power.svg', 'provider-escrow.svg', 'burnt.svg']);
    const power = readFileSync(paths[0]!, 'utf8');
    expect(power.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="300"')).toBe(true);
    expect(power).toContain('<title>Network quality-adjusted power</title>');
    expect(power).toContain('<text x="');
    expect(readFileSync(paths[1]!, 'utf8')).toContain('milliFIL');
    expect(readFileSync(paths[2]!, 'utf8')).toContain('<title>burnt funds</title>');
  });

  it('refuses a run without samples, saying how to get them', () => {
    expect(() => writeScenarioCharts(samples.slice(0, 1), tmpdir())).toThrow('run the scenario with sampleEvery');
  });
});

/**
 * `pnpm bench`: fvm-sim's benchmark suite. Every figure that has a peer is measured side by side
 * with it in the same run (interleaved rounds) and reported as a ratio, since machines here are
 * noisy (±35% run to run). Absolute targets are also shown scaled by this run's Hardhat speed
 * against the reference machine (Hardhat ≈ 4.6k transfers/s).
 *
 * Options: `--quick` (fewer rounds, 10k deals for memory), `--only=transfers,publish,genesis,memory,scenario`,
 * `--record` (also write bench-results/recorded.json and recorded.md, the copies the README cites).
 * The scenario suite's horizons: `BENCH_SCENARIO_YEARS` (default 30 days, 5 with `--quick`; `3`
 * runs the whole 3-year scenario in both modes) and `BENCH_GROWTH_DAYS` (default 2, 1 with `--quick`).
 * Run node with `--expose-gc` for the memory figure (the `bench` script does).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_VERSIONS } from 'fvm-sim';
import { type BenchContext, REFERENCE_HARDHAT_TPS, type Row, genesisSuite, memorySuite, publishSuite, scenarioSuite, transfersSuite } from './suites.js';

const SUITES = ['transfers', 'publish', 'genesis', 'memory', 'scenario'] as const;

/** Renders rows as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const head = '| group | metric | measured | scaled to reference | target | status | note |\n|---|---|---:|---:|---|---|---|';
  const esc = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');
  return [head, ...rows.map((r) => `| ${esc(r.group)} | ${esc(r.metric)} | ${esc(r.value)} | ${esc(r.normalized)} | ${esc(r.target)} | ${esc(r.status)} | ${esc(r.note)} |`)].join('\n');
}

function consoleTable(rows: readonly Row[]): string {
  const cols: [string, (r: Row) => string][] = [
    ['group', (r) => r.group],
    ['metric', (r) => r.metric],
    ['measured', (r) => r.value],
    ['scaled', (r) => r.normalized ?? ''],
    ['target', (r) => r.target ?? ''],
    ['status', (r) => r.status ?? ''],
  ];
  const widths = cols.map(([h, f]) => Math.max(h.length, ...rows.map((r) => f(r).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(cols.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cols.map(([, f]) => f(r))))].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = new Set(onlyArg ? onlyArg.slice('--only='.length).split(',') : SUITES);
  const ctx: BenchContext = { quick, machineFactor: 1, raw: {} };
  const rows: Row[] = [];
  const started = performance.now();
  const run = async (name: (typeof SUITES)[number], f: () => Row[] | Promise<Row[]>) => {
    if (!only.has(name)) return;
    process.stderr.write(`bench: ${name}…\n`);
    const t0 = performance.now();
    rows.push(...(await f()));
    process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };
  // Transfers first: Hardhat's rate there calibrates the scaled column of the other suites.
  await run('transfers', () => transfersSuite(ctx));
  await run('publish', () => publishSuite(ctx));
  await run('genesis', () => genesisSuite(ctx));
  await run('memory', () => memorySuite(ctx));
  await run('scenario', () => scenarioSuite(ctx));

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
  const header = `fvm-sim benchmarks — ${new Date().toISOString()} — ${machine}${quick ? ' — QUICK' : ''}\nmachine factor ${ctx.machineFactor.toFixed(2)} during the transfer suite (Hardhat transfers/s here ÷ ${REFERENCE_HARDHAT_TPS}). "scaled" = as on the reference machine of issue 10: transfers ÷ that factor; publish, genesis and scenario figures × a factor measured with Hardhat right next to each sample`;
  console.log(`\n${header}\n\n${consoleTable(rows)}\n`);
  for (const r of rows) if (r.note) console.log(`  ${r.metric}: ${r.note}`);

  const result = {
    date: new Date().toISOString(),
    machine,
    quick,
    reference: REFERENCE_VERSIONS,
    machineFactor: ctx.machineFactor,
    referenceHardhatTps: REFERENCE_HARDHAT_TPS,
    seconds: (performance.now() - started) / 1000,
    rows,
    raw: ctx.raw,
  };
  const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const md = `${header}\n\n${markdownTable(rows)}\n`;
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, 'latest.md'), md);
  if (args.includes('--record')) {
    writeFileSync(join(dir, 'recorded.json'), json);
    writeFileSync(join(dir, 'recorded.md'), md);
  }
  console.log(`\nwrote ${join('bench-results', 'latest.json')}${args.includes('--record') ? ' and recorded.json/.md' : ''}`);
  // Hardhat keeps handles open.
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

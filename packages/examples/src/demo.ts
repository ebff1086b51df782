/**
 * The fvm-sim demo: what the primitives do, then a devnet running a few thousand epochs.
 * Run with `pnpm demo` after `pnpm build`.
 */
import { Address, FIL, Hamt, MemoryBlockstore, formatFIL, methodNumber } from 'fvm-sim';
import { createDevnet } from '@fvm-sim/actors-builtin';
import { writeScenarioCharts } from './scenarios/charts.js';
import { runDealExpiryScenario } from './scenarios/dealExpiry.js';

function section(title: string): void {
  console.log(`\n\x1b[1m== ${title}\x1b[0m`);
}

function progressBar(done: bigint, total: bigint): void {
  const width = 30;
  const filled = Number((done * BigInt(width)) / (total === 0n ? 1n : total));
  process.stdout.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} epochs`);
  if (done === total) process.stdout.write('\n');
}

section('Addresses in every protocol');
const net = createDevnet({ seed: 'demo', accounts: [{ balance: FIL(1_000), label: 'alice' }, { balance: FIL(10), keyType: 'bls', label: 'bob' }] });
const [alice, bob] = net.genesisAccounts;
const examples: [string, Address][] = [
  ['ID (f0)', alice!.idAddress],
  ['secp256k1 (f1)', alice!.address],
  ['actor (f2)', Address.newActor(new TextEncoder().encode('demo'))],
  ['BLS (f3)', bob!.address],
  ['delegated (f410)', Address.fromEthAddress('0x23a7f3c5ed1f0f7c0fd94e3b06a3cfb1bd3b0795')],
];
for (const [kind, a] of examples) console.log(`  ${kind.padEnd(18)} ${a.toString()}`);
console.log(`  masked-ID eth form of f0100: ${alice!.idAddress.toEthAddress()}`);

section('FRC-42 method numbers');
for (const name of ['AuthenticateMessage', 'PublishStorageDeals', 'MarketNotifyDeal']) console.log(`  ${name.padEnd(22)} ${methodNumber(name)}`);

section('A HAMT, byte-compatible with go-hamt-ipld');
const hamt = Hamt.empty<string>(new MemoryBlockstore());
console.log(`  empty root:     ${hamt.flush().toString()}`);
for (let i = 0; i < 100; i++) hamt.set(new TextEncoder().encode(`key-${i}`), `value-${i}`);
console.log(`  100 keys root:  ${hamt.flush().toString()}`);

section('A message, its gas and its trace');
const carol = net.createAccount({ label: 'carol' });
const r = net.send({ from: alice!, to: carol, value: FIL('12.5') });
console.log(`  exit ${r.exitCode}, gas used ${r.gasUsed}, base-fee burn ${formatFIL(r.gasOutputs.baseFeeBurn)} FIL, tip ${formatFIL(r.gasOutputs.minerTip)} FIL`);
console.log(net.formatLastTrace().replace(/^/gm, '  '));

section('Advancing 2,880 epochs (one day): cron, power and reward every epoch');
const t0 = performance.now();
net.advanceEpochs(2880, { onProgress: progressBar, progressEvery: 96n });
const ms = performance.now() - t0;
console.log(`  epoch ${net.epoch}, ${Math.round(2880 / (ms / 1000)).toLocaleString('en-US')} epochs/s`);
console.log(`  state root ${net.stateRoot().toString()}`);
console.log(`  total FIL conserved: ${net.totalBalance() === net.genesisSupply ? 'yes' : 'NO'} (${formatFIL(net.totalBalance())} FIL)`);

section('A storage market over the years: providers, clients, deals of mixed lengths, an outage and a termination');
{
  // DEMO_YEARS / DEMO_MINERS / DEMO_DEALS scale it up (busy epochs cost milliseconds each).
  const years = Number(process.env.DEMO_YEARS ?? 2);
  const miners = Number(process.env.DEMO_MINERS ?? 2);
  const deals = Number(process.env.DEMO_DEALS ?? 6);
  const t = performance.now();
  // DEMO_CHARTS=<dir> also writes SVG charts of the run (weekly samples) into <dir>.
  const chartsDir = process.env.DEMO_CHARTS;
  const s = runDealExpiryScenario({ years, miners, clients: 3, deals, onProgress: progressBar, progressEvery: 2880n * 7n, ...(chartsDir ? { sampleEvery: 2880n * 7n } : {}) });
  const secs = (performance.now() - t) / 1000;
  console.log(`  ${s.epochs.toLocaleString('en-US')} epochs (${years} year${years === 1 ? "" : "s"}) in ${secs.toFixed(1)} s: ${s.clockStats.stepped.toLocaleString('en-US')} stepped, ${s.clockStats.fastForwarded.toLocaleString('en-US')} fast-forwarded`);
  console.log(`  deals published ${s.dealsPublished}, sectors proven ${s.sectorsProven}, Window PoSts ${s.postsSubmitted} (missed ${s.postsMissed}), recoveries ${s.recoveriesDeclared}`);
  console.log(`  providers' escrow change ${formatFIL(s.providerEscrowChange)} FIL (payments − slashed collateral), burnt ${formatFIL(s.burnt)} FIL, block rewards ${formatFIL(s.minted)} FIL`);
  console.log(`  invariants: ${s.invariantViolations.length === 0 ? 'all hold' : s.invariantViolations.join('; ')}; agent failures: ${s.agentFailures.length}`);
  console.log(`  state root ${s.stateRoot}`);
  if (chartsDir) for (const p of writeScenarioCharts(s.samples, chartsDir)) console.log(`  wrote ${p}`);
}

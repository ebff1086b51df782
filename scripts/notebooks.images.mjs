// The README's notebook pictures, drawn with @fvm-sim/examples' chart module from a devnet run:
// `node scripts/notebooks.mjs --images` (re)writes packages/examples/notebooks/img/*.svg.
// Deterministic: same code, same bytes.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Writes every picture into `<root>/packages/examples/notebooks/img/`, returning the paths. */
export async function writeImages(root) {
  const load = (pkg) => import(pathToFileURL(join(root, 'packages', pkg, 'dist/index.js')).href);
  const { FIL } = await load('fvm-sim');
  const { createDevnet } = await load('actors-builtin');
  const { barChart, lineChart } = await load('examples');
  const dir = join(root, 'packages/examples/notebooks/img');
  mkdirSync(dir, { recursive: true });
  const written = [];
  const write = (name, svg) => {
    writeFileSync(join(dir, name), `${svg}\n`);
    written.push(join(dir, name));
  };

  // 1 · Where the gas money of a 1.5 FIL transfer goes.
  {
    const net = createDevnet({ seed: 'notebook-1', accounts: [{ balance: FIL(1000) }] });
    const alice = net.genesisAccounts[0];
    const bob = net.createAccount({ keyType: 'bls', balance: FIL(10) });
    const estimate = net.estimateGas({ from: alice, to: bob, value: FIL('1.5') });
    const r = net.send({ from: alice, to: bob, value: FIL('1.5'), gasLimit: (estimate * 125n) / 100n, gasPremium: 100n, gasFeeCap: 2n * net.machine.baseFee + 100n });
    const g = r.gasOutputs;
    write('01-gas.svg', barChart([
      { label: 'base fee burn', value: g.baseFeeBurn, color: '#D55E00' },
      { label: 'miner tip', value: g.minerTip, color: '#009E73' },
      { label: 'over-estimation burn', value: g.overEstimationBurn, color: '#CC79A7' },
      { label: 'refund', value: g.refund, color: '#56B4E9' },
    ], { title: `Gas of a 1.5 FIL transfer (${r.gasUsed} gas used, limit ×1.25)`, yLabel: 'attoFIL', width: 560, height: 280 }));
  }

  // 2 · The reward actor across a year of an empty network (cron only, fast clock).
  {
    const net = createDevnet({ seed: 'notebook-2', blockProduction: 'off', clock: 'fast' });
    const day = 2880n;
    const reward = [];
    const baseline = [];
    for (let d = 0; d <= 365; d++) {
      if (d > 0) net.advanceEpochs(day);
      const st = net.builtinState.reward();
      reward.push([net.epoch, st.thisEpochReward]);
      baseline.push([net.epoch, st.thisEpochBaselinePower]);
    }
    write('02-reward.svg', lineChart([{ name: 'reward per epoch (FIL)', points: reward }], {
      title: 'Reward actor, a year of an empty devnet', xScale: day, xLabel: 'day', yScale: FIL(1), yLabel: 'FIL per epoch', zero: false, width: 560, height: 280,
    }));
    write('02-baseline.svg', lineChart([{ name: 'baseline power target (EiB)', points: baseline, color: '#D55E00' }], {
      title: 'Baseline power doubles in a year', xScale: day, xLabel: 'day', yScale: 2n ** 60n, yLabel: 'EiB', width: 560, height: 280,
    }));
  }

  // 3 · A 40-day deal's market escrow, day by day (notebook 3's set-up: the same seed, policy and deal).
  {
    const { CID } = await load('fvm-sim');
    const { definePolicy, DEVNET_POLICY, StorageProvider, addMarketBalance, signDealProposal, minProviderCollateral, marketBalance } = await load('actors-builtin');
    const policy = definePolicy(DEVNET_POLICY, {
      name: 'teaching',
      wpostPeriodDeadlines: 4n, wpostChallengeWindow: 720n, wpostProvingPeriod: 2880n,
      dealMinDuration: 30n * 2880n, minSectorExpiration: 30n * 2880n,
    });
    const net = createDevnet({ seed: 'notebook-3', policy, accounts: [{ balance: FIL(1000), label: 'client' }, { balance: FIL(10_000), label: 'provider' }], blockProduction: 'off', clock: 'fast' });
    const [client, owner] = net.genesisAccounts;
    const sp = StorageProvider.create(net, { owner, funds: FIL(1000) });
    net.addAgent(sp);
    const pieceSize = 2048n;
    const price = 10n ** 12n;
    const start = net.epoch + 300n;
    const end = start + 40n * 2880n;
    const collateral = minProviderCollateral(net, pieceSize);
    addMarketBalance(net, client, price * (end - start));
    addMarketBalance(net, owner, collateral, sp.address);
    const pieceCid = CID.parse('baga6ea4seaqaabyocuocgkrrha7umtkulnrgs4dxp2cyze42uguk7nv5ytf5egi');
    sp.acceptDeals([signDealProposal(client, {
      pieceCid, pieceSize, verifiedDeal: false, client: client.idAddress, provider: sp.address, label: 'hello, filecoin',
      startEpoch: start, endEpoch: end, storagePricePerEpoch: price, providerCollateral: collateral, clientCollateral: 0n,
    })]);
    const days = [];
    const sample = () => days.push({ epoch: net.epoch, client: marketBalance(net, client).balance, provider: marketBalance(net, sp.address).balance, locked: marketBalance(net, client).locked });
    sample();
    while (net.epoch < end + 30n * 2880n) {
      net.advanceEpochs(2880n);
      sample();
    }
    write('03-escrow.svg', lineChart([
      { name: 'client escrow', points: days.map((d) => [d.epoch, d.client]) },
      { name: 'provider escrow', points: days.map((d) => [d.epoch, d.provider]) },
      { name: 'client locked', points: days.map((d) => [d.epoch, d.locked]), color: '#56B4E9' },
    ], { title: 'A 40-day deal: market escrow, day by day', xScale: 2880n, xLabel: 'day', yScale: FIL(1) / 1000n, yLabel: 'milliFIL', step: true, width: 560, height: 280 }));
  }

  // 4 · Six hours of block rewards vesting over 180 days: notebook 4's run (the same seed and steps,
  // faults included, so the same numbers), its measured 30 days and the vesting table's schedule.
  {
    const { StorageProvider, minerFunds, minerVestingTable, nextDeadlineWindow, provingDeadline } = await load('actors-builtin');
    const net = createDevnet({ seed: 'notebook-4', accounts: [{ balance: FIL(100_000_000), label: 'owner' }], blockProduction: 'off', clock: 'fast' });
    const sp = StorageProvider.create(net, { owner: net.genesisAccounts[0], funds: FIL(1_000_000) });
    net.addAgent(sp);
    const day = net.policy.wpostProvingPeriod;
    const periodStart = provingDeadline(net, sp.address).periodStart;
    sp.pledgeSectors(6);
    net.advanceEpochs(20);
    net.advanceTo(nextDeadlineWindow(net, sp.address, 2n).close);
    const miss = nextDeadlineWindow(net, sp.address, 1n);
    sp.missPoStAt(miss.open);
    sp.missPoStAt(miss.open + day);
    net.advanceTo(miss.close + 2n * day + 60n);
    net.blockProduction = 'faithful';
    let before = minerFunds(net, sp.address);
    while ((net.blocksWon.get(sp.address.id) ?? 0n) === 0n) {
      before = minerFunds(net, sp.address);
      net.advanceEpochs(1);
    }
    const funds = [{ epoch: net.epoch, ...minerFunds(net, sp.address) }];
    for (let i = 0; i < 12; i++) {
      net.advanceEpochs(60);
      funds.push({ epoch: net.epoch, ...minerFunds(net, sp.address) });
    }
    net.blockProduction = 'off';
    const table = minerVestingTable(net, sp.address);
    net.advanceTo(net.epoch + ((((periodStart + 2160n - net.epoch) % day) + day) % day));
    for (let d = 0; d <= 30; d++) {
      if (d > 0) net.advanceEpochs(day);
      funds.push({ epoch: net.epoch, ...minerFunds(net, sp.address) });
    }
    const now = funds[funds.length - 1];
    const lockedAfter = (t) => table.filter((e) => e.epoch >= t).reduce((s, e) => s + e.amount, 0n);
    const unlocked = (available) => available - before.available;
    const projection = table.filter((e) => e.epoch >= now.epoch).map((e) => e.epoch + 1n);
    write('04-vesting.svg', lineChart([
      { name: 'locked', points: funds.map((f) => [f.epoch, f.vesting]), color: '#CC79A7' },
      { name: 'unlocked', points: funds.map((f) => [f.epoch, unlocked(f.available)]), color: '#0072B2' },
      { name: 'locked, scheduled', points: [[now.epoch, now.vesting], ...projection.map((t) => [t, lockedAfter(t)])], color: '#CC79A7', dashed: true },
      { name: 'unlocked, scheduled', points: [[now.epoch, unlocked(now.available)], ...projection.map((t) => [t, unlocked(now.available) + now.vesting - lockedAfter(t)])], color: '#0072B2', dashed: true },
    ], {
      title: 'Six hours of block rewards, vesting over 180 days', xScale: day, xLabel: 'day', yScale: FIL(1000), yLabel: 'thousand FIL', step: true, width: 720, height: 320,
      markers: [{ x: now.epoch, label: 'measured ← | → vesting table' }],
    }));
  }

  // 5 · A lending pool's one-day loan, repaid from the miner in four installments (as in notebook 5).
  {
    const { lendingPoolWorld, SCENARIO_INTERVAL } = await load('examples');
    const w = lendingPoolWorld({ seed: 'notebook-5' });
    const loan = w.borrow(4n * SCENARIO_INTERVAL);
    w.advanceSampling(loan.start + 1n, 1n); // then one epoch past each half hour: collections show at once
    const samples = w.advanceSampling(loan.start + 4n * SCENARIO_INTERVAL + 121n, 60n);
    loan.stopKeeper();
    const at = (s) => s.epoch - loan.start;
    write('05-lending-pool.svg', lineChart([
      { name: "pool's balance", points: samples.map((s) => [at(s), s.poolBalance]) },
      { name: "loan's debt", points: samples.map((s) => [at(s), s.debt]), color: '#D55E00' },
    ], { title: 'Lending pool: a one-day loan of 2 000 FIL, four installments', xScale: 120n, xLabel: 'hours since the loan started', yScale: FIL(1), yLabel: 'FIL', step: true, width: 560, height: 280 }));
  }
  return written;
}

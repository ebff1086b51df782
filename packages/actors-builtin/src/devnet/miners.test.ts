import { FIL } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from './devnet.js';
import { minerDeadlines, minerFunds, minerInfo, minerPartitions, minerPower, minerSectors, minerVestingTable, nextDeadlineWindow, provingDeadline } from './miners.js';
import { StorageProvider } from './storageProvider.js';

/** A miner with six committed-capacity sectors, proven (no block rewards). */
function provider() {
  const net = createDevnet({ seed: 'miners-test', accounts: [{ balance: FIL(100_000_000) }], blockProduction: 'off', clock: 'fast' });
  const sp = StorageProvider.create(net, { owner: net.genesisAccounts[0]!, funds: FIL(1_000_000) });
  net.addAgent(sp);
  sp.pledgeSectors(6);
  net.advanceEpochs(20);
  return { net, sp };
}

describe('miner views', () => {
  it('deadlines: 48 windows of 60 epochs, the sectors in partitions of two', () => {
    const { net, sp } = provider();
    const now = provingDeadline(net, sp.address);
    expect(now.isOpen()).toBe(true);
    const rows = minerDeadlines(net, sp.address);
    expect(rows).toHaveLength(48);
    rows.forEach((d, i) => {
      expect(d.index).toBe(BigInt(i));
      // The next window that has not closed: deadlines before the current one are next period's.
      expect(d.open).toBe(now.periodStart + BigInt(i) * 60n + (d.index < now.index ? 2880n : 0n));
      expect(d.open).toBe(nextDeadlineWindow(net, sp.address, d.index).open);
      expect(d.close - d.open).toBe(60n);
      expect(d.challenge).toBe(d.open - 20n);
      expect(d.faultCutoff).toBe(d.open - 70n);
      expect(d.isOpen).toBe(d.index === now.index);
    });
    const used = rows.filter((d) => d.liveSectors > 0n);
    expect(used.reduce((s, d) => s + d.liveSectors, 0n)).toBe(6n);
    for (const d of used) {
      expect(d.partitions).toBe(Number(d.liveSectors / minerInfo(net, sp.address).windowPoStPartitionSectors));
      expect(d.livePower.raw).toBe(d.liveSectors * 2048n);
      expect(d.faultySectors).toBe(0);
      expect(minerPartitions(net, sp.address, d.index).flatMap((p) => p.sectors)).toHaveLength(Number(d.liveSectors));
    }
    // Every proven sector is in exactly one partition, not yet proven by a Window PoSt.
    const all = used.flatMap((d) => minerPartitions(net, sp.address, d.index));
    expect(all.flatMap((p) => p.sectors).sort()).toEqual(minerSectors(net, sp.address).map((s) => s.sectorNumber).sort());
    expect(all.flatMap((p) => p.unproven)).toHaveLength(6);
    // Power comes with a sector's first Window PoSt, not with its activation.
    expect(minerPower(net, sp.address)).toEqual({ raw: 0n, qa: 0n });
    net.advanceTo(used[used.length - 1]!.close + 2880n);
    expect(minerPower(net, sp.address)).toEqual({ raw: 6n * 2048n, qa: 6n * 2048n });
    expect(used.flatMap((d) => minerPartitions(net, sp.address, d.index)).flatMap((p) => p.unproven)).toEqual([]);
    expect(() => nextDeadlineWindow(net, sp.address, 48n)).toThrow(/deadline 48 is not in 0…47/);
    expect(() => minerPartitions(net, sp.address, 48n)).toThrow(/deadline 48/);
  });

  it('funds: available = balance − vesting − pledge − deposits − debt; the vesting table sums to the locked funds', () => {
    const { net, sp } = provider();
    const f = minerFunds(net, sp.address);
    expect(f.balance).toBe(FIL(1_000_000));
    expect(f.initialPledge).toBe(minerSectors(net, sp.address).reduce((s, x) => s + x.initialPledge, 0n));
    expect(f.initialPledge).toBeGreaterThan(0n);
    expect(f.available).toBe(f.balance - f.vesting - f.initialPledge - f.preCommitDeposits - f.feeDebt);
    // The create-miner deposit (FIP-0077) vests like a block reward.
    const table = minerVestingTable(net, sp.address);
    expect(table.length).toBeGreaterThan(0);
    expect(table.reduce((s, e) => s + e.amount, 0n)).toBe(f.vesting);
    expect(table.every((e, i) => i === 0 || e.epoch > table[i - 1]!.epoch)).toBe(true);
  });

  it('a missed Window PoSt: faults at the deadline cron (lastCronResult), recovery declared, power back', () => {
    const { net, sp } = provider();
    const dl = minerDeadlines(net, sp.address).find((d) => d.liveSectors > 0n)!.index;
    const first = nextDeadlineWindow(net, sp.address, dl);
    net.advanceTo(first.close);
    const miss = nextDeadlineWindow(net, sp.address, dl);
    expect(miss.open).toBe(first.open + 2880n);
    sp.missPoStAt(miss.open);
    net.advanceTo(miss.last());
    expect(minerDeadlines(net, sp.address)[Number(dl)]!.partitionsPosted).toBe(0);
    net.advanceEpochs(1); // the deadline's last epoch ends: cron detects the fault
    expect(net.lastCronResult?.exitCode).toBe(0);
    expect(net.lastCronResult?.trace?.subcalls.length).toBeGreaterThan(0);
    const row = minerDeadlines(net, sp.address)[Number(dl)]!;
    expect(row.faultySectors).toBe(2);
    expect(row.faultyPower.raw).toBe(4096n);
    expect(minerPower(net, sp.address).raw).toBe(4n * 2048n);
    net.advanceEpochs(1); // the agent declares the recovery
    expect(minerPartitions(net, sp.address, dl)[0]!.recoveries).toHaveLength(2);
    net.advanceTo(nextDeadlineWindow(net, sp.address, dl).close);
    expect(minerPower(net, sp.address).raw).toBe(6n * 2048n);
    expect(minerDeadlines(net, sp.address)[Number(dl)]!.faultySectors).toBe(0);
    expect(sp.stats.failures).toEqual([]);
    // Snapshots carry the last cron result.
    const snap = net.snapshot();
    const before = net.lastCronResult;
    net.advanceEpochs(200);
    net.revert(snap);
    expect(net.lastCronResult).toBe(before);
  });
});

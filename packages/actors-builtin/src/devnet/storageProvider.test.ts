import { FIL } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from './devnet.js';
import { minerDeadlines, nextDeadlineWindow } from './miners.js';
import { StorageProvider } from './storageProvider.js';

/** The agent's answer as computed afresh, bypassing the memo. */
const fresh = (sp: StorageProvider, epoch: bigint): bigint | undefined => sp['computeNextWakeUp'](epoch);

/** Asks `nextWakeUp` for increasing epochs from `from` (as the clock does) and checks each answer against a fresh one. */
function expectMemoExact(sp: StorageProvider, from: bigint, span: bigint, step: bigint): number {
  let asked = 0;
  for (let e = from; e <= from + span; e += step) {
    expect(sp.nextWakeUp(e), `epoch ${e}`).toBe(fresh(sp, e));
    asked++;
  }
  return asked;
}

describe('StorageProvider.nextWakeUp', () => {
  it('answers from its memo exactly as a fresh computation would, through sealing, proving, a missed PoSt and an outage', () => {
    const net = createDevnet({ seed: 'sp-wakeup', accounts: [{ balance: FIL(100_000_000) }], blockProduction: 'off', clock: 'fast' });
    const sp = StorageProvider.create(net, { owner: net.genesisAccounts[0]!, funds: FIL(1_000_000) });
    net.addAgent(sp);
    sp.pledgeSectors(4);
    // Pending work: the agent wants to act now.
    expect(sp.nextWakeUp(net.epoch)).toBe(net.epoch);
    net.advanceEpochs(1);
    // Pre-committed: it next wakes when the seal's challenge delay has passed.
    const sealAt = sp.nextWakeUp(net.epoch)!;
    expect(sealAt).toBeGreaterThan(net.epoch);
    expect(expectMemoExact(sp, net.epoch, sealAt - net.epoch, 1n)).toBe(Number(sealAt - net.epoch) + 1);
    net.advanceTo(sealAt + 1n);
    expect(sp.stats.sectorsProven).toBe(4);

    // Proving: the memo holds between windows.
    const dl = minerDeadlines(net, sp.address).find((d) => d.liveSectors > 0n)!.index;
    const window = nextDeadlineWindow(net, sp.address, dl);
    expect(sp.nextWakeUp(net.epoch)).toBe(window.open);
    expectMemoExact(sp, net.epoch, 3000n, 7n);

    // A missed PoSt and the fault that follows: the agent must wake to declare the recovery.
    net.advanceTo(window.close + 1n);
    const miss = nextDeadlineWindow(net, sp.address, dl);
    expect(miss.open).toBe(window.open + 2880n);
    sp.missPoStAt(miss.open);
    net.advanceTo(miss.close + 1n);
    expect(minerDeadlines(net, sp.address)[Number(dl)]!.faultySectors).toBeGreaterThan(0);
    expectMemoExact(sp, net.epoch, 3000n, 3n);

    // A short outage planned between now and the next wake-up: while it lasts the agent plans to
    // wake when it ends, so a memo from before it must not be used inside it.
    net.advanceTo(nextDeadlineWindow(net, sp.address, dl).close + 1n);
    const next = sp.nextWakeUp(net.epoch)!;
    expect(next - net.epoch).toBeGreaterThan(100n);
    const outFrom = net.epoch + 20n;
    sp.goOffline(outFrom, outFrom + 20n);
    expect(sp.nextWakeUp(net.epoch)).toBe(next);
    expect(sp.nextWakeUp(outFrom)).toBe(outFrom + 21n);
    expectMemoExact(sp, net.epoch, 200n, 1n);
    // And a long one, over the next windows.
    sp.goOffline(net.epoch + 500n, net.epoch + 3500n);
    expectMemoExact(sp, net.epoch, 6000n, 11n);
    net.advanceTo(net.epoch + 4000n);
    expectMemoExact(sp, net.epoch, 6000n, 13n);
    expect(sp.stats.failures).toEqual([]);
  });

  it('reads changed deadlines only, and finds window openings as DeadlineInfo does', () => {
    const net = createDevnet({ seed: 'sp-deadlines', accounts: [{ balance: FIL(100_000_000) }], blockProduction: 'off', clock: 'fast' });
    const sp = StorageProvider.create(net, { owner: net.genesisAccounts[0]!, funds: FIL(1_000_000) });
    net.addAgent(sp);
    sp.pledgeSectors(6);
    net.advanceEpochs(200);
    expect(sp.stats.sectorsProven).toBe(6);
    const dl = minerDeadlines(net, sp.address).find((d) => d.liveSectors > 0n)!.index;
    sp.missPoStAt(nextDeadlineWindow(net, sp.address, dl).open); // a fault, then its recovery
    const read = (full: boolean) => {
      const st = sp['state']();
      if (!full) return sp['readLiveDeadlines'](st);
      const kept = sp['known'];
      sp['known'] = [];
      try {
        return sp['readLiveDeadlines'](st);
      } finally {
        sp['known'] = kept;
      }
    };
    for (let i = 0; i < 120; i++) {
      net.advanceEpochs(53);
      expect(read(false)).toEqual(read(true));
      const st = sp['state']();
      for (let idx = 0n; idx < 48n; idx += 5n) {
        const { close } = sp['windowOf'](st, idx, net.epoch);
        for (const e of [net.epoch, close - 1n, close, close + 2879n, close + 2880n, net.epoch + 9000n]) expect(sp['windowOpen'](st, idx, e), `deadline ${idx} at ${e}`).toBe(sp['windowOf'](st, idx, e).open);
      }
    }
    // Window PoSts (deadlines change, partitions do not), a fault and its recovery (partitions change).
    expect(sp.stats.postsSubmitted).toBeGreaterThan(4);
    expect(sp.stats.postsMissed).toBe(1);
    expect(sp.stats.recoveriesDeclared).toBeGreaterThan(0);
    expect(sp.stats.failures).toEqual([]);
  });
});

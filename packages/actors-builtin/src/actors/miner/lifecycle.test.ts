/**
 * TerminateSectors, ExtendSectorExpiration2, CompactPartitions and CompactSectorNumbers on the miner
 * harness (builtin-actors v18 terminate_sectors_test.rs, extend_sector_expiration_test.rs,
 * compact_partitions_test.rs, compact_sector_numbers_tests.rs). Every scenario ends with the
 * invariant checker.
 */
import { type Address, BitField, ExitCode, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BURNT_FUNDS_ACTOR_ADDR } from '../../shared/singletons.js';
import { sectorEventEntries } from './emit.js';
import { ExpirationQueue } from './expirationQueue.js';
import { pledgePenaltyForContinuedFault, pledgePenaltyForTermination } from './monies.js';
import { powerForSectors, qaPowerForSector } from './policy.js';
import {
  advanceDeadline,
  advanceToDeadline,
  currentDeadline,
  invariantMessages,
  locate,
  partitionsOf,
  postParams,
  setupProvenMiner,
  submitPoSt,
} from './provingKit.js';
import * as state from './state.js';
import { ret } from './testHarness.js';
import type { MinerHarness } from './testHarness.js';
import {
  CompactPartitionsParams,
  CompactSectorNumbersParams,
  ExtendSectorExpiration2Params,
  MinerMethod,
  TerminateSectorsParams,
  TerminateSectorsReturn,
} from './types.js';

const NO_SKIP = new BitField();

/** A miner whose sectors 1..n (one partition of deadline `dl`) are proven and active, just after `dl` ended. */
function activeMiner(n = 2) {
  const pm = setupProvenMiner(n);
  const { deadline } = locate(pm.h, pm.miner, 1n);
  const info = advanceToDeadline(pm.h, pm.miner, deadline);
  expect(submitPoSt(pm.h, pm.miner, postParams(pm.h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
  advanceDeadline(pm.h, pm.miner);
  return { ...pm, dl: deadline };
}

function terminate(h: MinerHarness, miner: Address, dl: bigint, sectors: number[], from: Address = h.worker, partition = 0n) {
  const params = encodeWith(TerminateSectorsParams, { terminations: [{ deadline: dl, partition, sectors: BitField.fromIterable(sectors) }] });
  return h.send(from, miner, MinerMethod.TerminateSectors, params);
}

function extend(h: MinerHarness, miner: Address, dl: bigint, sectors: number[], newExpiration: bigint, from: Address = h.worker, partition = 0n) {
  const params = encodeWith(ExtendSectorExpiration2Params, {
    extensions: [{ deadline: dl, partition, sectors: BitField.fromIterable(sectors), sectorsWithClaims: [], newExpiration }],
  });
  return h.send(from, miner, MinerMethod.ExtendSectorExpiration2, params);
}

describe('TerminateSectors', () => {
  it('terminates at once: the exact termination fee is burnt, pledge and power released, an event emitted', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const [s1, s2] = sectors as [(typeof sectors)[0], (typeof sectors)[0]];
    const reward = h.reward().thisEpochRewardSmoothed;
    const power = h.power().qualityAdjPowerSmoothed;
    const ff = pledgePenaltyForContinuedFault(reward, power, qaPowerForSector(2048n, s1));
    const fee = pledgePenaltyForTermination(s1.initialPledge, h.epoch - s1.activation, ff);
    expect(fee).toBeGreaterThan(0n);
    const pledgeBefore = h.state(miner).initialPledge;
    const networkPledgeBefore = h.power().totalPledgeCollateral;
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);

    const r = terminate(h, miner, dl, [1]);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(ret(TerminateSectorsReturn, r)).toEqual({ done: true });
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR) - burnt).toBe(fee);
    const st = h.state(miner);
    expect(st.initialPledge).toBe(pledgeBefore - s1.initialPledge);
    expect(st.feeDebt).toBe(0n);
    expect(st.earlyTerminations.isEmpty()).toBe(true);
    // Power keeps only sector 2's.
    const p2 = powerForSectors(2048n, [s2]);
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: p2.raw, qualityAdjPower: p2.qa });
    // Power's pledge total lost the pledge, less what the fee took from vesting funds.
    expect(h.power().totalPledgeCollateral).toBeLessThan(networkPledgeBefore);
    const p = partitionsOf(h, miner, dl)[0]!.partition;
    expect(p.terminated.toArray()).toEqual([1]);
    expect(r.events.filter((e) => e.emitter === miner.id).map((e) => e.entries)).toEqual([sectorEventEntries('sector-terminated', 1n)]);
    // The sector info stays until its partition is compacted.
    expect(state.getSector(h.machine.store, st, 1n)).toEqual(s1);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('refuses the deadline being proven and the next one (16), other callers (18), unknown partitions (17) and sectors', () => {
    const { h, miner, dl } = activeMiner();
    expect(terminate(h, miner, dl, [1], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(terminate(h, miner, dl, [1], h.worker, 4n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(terminate(h, miner, 48n, [1]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // The deadline before `dl` is open: `dl` is next, hence immutable.
    advanceToDeadline(h, miner, (dl + 47n) % 48n);
    const next = terminate(h, miner, dl, [1]);
    expect(next.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(next.failureInfo).toContain(`cannot terminate sectors in immutable deadline ${dl}`);
    advanceDeadline(h, miner);
    expect(currentDeadline(h, miner).index).toBe(dl);
    expect(terminate(h, miner, dl, [1]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.state(miner).initialPledge).toBeGreaterThan(0n);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('ExtendSectorExpiration2', () => {
  it('moves a sector to its new expiration: the power base moves to now, power and fee unchanged', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const s1 = sectors[0]!;
    const claim = h.claim(miner);
    const newExpiration = s1.expiration + 42n * h.policy.wpostProvingPeriod;
    const epoch = h.epoch;
    expect(extend(h, miner, dl, [1], newExpiration).exitCode).toBe(ExitCode.OK);
    const after = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(after).toEqual({ ...s1, expiration: newExpiration, powerBaseEpoch: epoch });
    expect(h.claim(miner)).toEqual(claim);
    expect(state.getSector(h.machine.store, h.state(miner), 2n)).toEqual(sectors[1]);
    // The partition's expiration queue now holds sector 1 at its new (quantized) epoch.
    const quant = state.quantSpecForDeadline(h.policy, h.state(miner), dl);
    const queue = new ExpirationQueue(h.machine.store, partitionsOf(h, miner, dl)[0]!.partition.expirationsEpochs, quant);
    expect(queue.get(quant.quantizeUp(newExpiration))!.onTimeSectors.toArray()).toEqual([1]);
    expect(queue.get(quant.quantizeUp(s1.expiration))!.onTimeSectors.toArray()).toEqual([2]);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('rejects shorter, too long and foreign extensions with the exit codes of builtin-actors', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const s1 = sectors[0]!;
    const reduce = extend(h, miner, dl, [1], s1.expiration - 1n);
    expect(reduce.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(reduce.failureInfo).toContain(`cannot reduce sector 1 expiration to ${s1.expiration - 1n} from ${s1.expiration}`);
    const far = extend(h, miner, dl, [1], h.epoch + h.policy.maxSectorExpirationExtension + 1n);
    expect(far.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(far.failureInfo).toContain('cannot be more than');
    expect(extend(h, miner, dl, [1], s1.expiration + 100n, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const bad = extend(h, miner, 48n, [1], s1.expiration + 100n);
    expect(bad.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(bad.failureInfo).toContain('deadline 48 not in range 0..48');
    expect(extend(h, miner, dl, [1], s1.expiration + 100n, h.worker, 3n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(extend(h, miner, dl, [9], s1.expiration + 100n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(state.getSector(h.machine.store, h.state(miner), 1n)).toEqual(s1);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('CompactPartitions', () => {
  it('drops terminated sectors from state and repacks live ones, outside the dispute window only', () => {
    const { h, miner, sectors, dl } = activeMiner();
    expect(terminate(h, miner, dl, [1]).exitCode).toBe(ExitCode.OK);
    const compact = (deadline: bigint, partitions: number[], from: Address = h.worker) =>
      h.send(from, miner, MinerMethod.CompactPartitions, encodeWith(CompactPartitionsParams, { deadline, partitions: BitField.fromIterable(partitions) }));
    // `dl` just closed: its PoSts may still be disputed.
    const early = compact(dl, [0]);
    expect(early.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(early.failureInfo).toContain(`cannot compact deadline ${dl} during its challenge window`);
    expect(compact(48n, [0]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);

    const closed = currentDeadline(h, miner).open;
    h.setEpoch(closed + h.policy.wpostDisputeWindow);
    expect(compact(dl, [0], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(compact(dl, Array.from({ length: 3001 }, (_, i) => i)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const claim = h.claim(miner);
    expect(compact(dl, [0]).exitCode).toBe(ExitCode.OK);
    const st = h.state(miner);
    expect(state.getSector(h.machine.store, st, 1n)).toBeUndefined();
    expect(state.getSector(h.machine.store, st, 2n)).toEqual(sectors[1]);
    const parts = partitionsOf(h, miner, dl);
    expect(parts.map((p) => [p.index, p.partition.sectors.toArray(), p.partition.terminated.toArray()])).toEqual([[0n, [2], []]]);
    expect(h.claim(miner)).toEqual(claim);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('CompactSectorNumbers', () => {
  it('masks sector numbers so they can never be used, collisions allowed', () => {
    const { h, miner } = setupProvenMiner(1);
    const mask = (bits: number[], from: Address = h.worker) =>
      h.send(from, miner, MinerMethod.CompactSectorNumbers, encodeWith(CompactSectorNumbersParams, { maskSectorNumbers: BitField.fromIterable(bits) }));
    expect(mask([]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(mask([5], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(mask([1, 5, 6, 7]).exitCode).toBe(ExitCode.OK);
    expect(state.loadAllocatedSectorNumbers(h.machine.store, h.state(miner)).toArray()).toEqual([1, 5, 6, 7]);
    expect(h.precommit(miner, [h.precommitInfo(6n)]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.precommit(miner, [h.precommitInfo(8n)]).exitCode).toBe(ExitCode.OK);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

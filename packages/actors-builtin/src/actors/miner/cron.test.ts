/**
 * The deadline cron (OnDeferredCronEvent) on the miner harness: missed PoSts detected as faults, the
 * continued-fault fee and the FIP-0100 daily fee with exact values, recovery, termination of sectors
 * faulty for the policy's faultMaxAge with the exact termination fee, expired pre-commits' deposits
 * burnt, the worker key change, and the method's own checks (builtin-actors v18 deadline_cron.rs,
 * record_skipped_faults.rs, precommit_expiry.rs, daily_fees_test.rs, confirm_update_worker_key_test.rs).
 */
import { Amt, type Address, type ApplyResult, BitField, ExitCode, type TraceFrame, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { DEVNET_POLICY, definePolicy } from '../../shared/policy.js';
import { BURNT_FUNDS_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../../shared/singletons.js';
import { sectorEventEntries } from './emit.js';
import { expectedRewardForPower, pledgePenaltyForContinuedFault, pledgePenaltyForTermination } from './monies.js';
import { EPOCHS_IN_DAY, dailyProofFeePayable, powerForSectors, qaPowerForSector } from './policy.js';
import {
  advanceDeadline,
  advanceToDeadline,
  invariantMessages,
  jumpToDeadlineEnd,
  jumpToDeadlineOpen,
  locate,
  partitionsOf,
  postParams,
  setupProvenMiner,
  submitPoSt,
} from './provingKit.js';
import * as state from './state.js';
import { type MinerHarness, createMinerHarness } from './testHarness.js';
import {
  ChangeWorkerAddressParams,
  CronEventPayload,
  DeclareFaultsParams,
  DeclareFaultsRecoveredParams,
  DeferredCronEventParams,
  MinerMethod,
  type SectorOnChainInfo,
} from './types.js';

const NO_SKIP = new BitField();

/** What a deadline end burns for `faultyQa` already faulty and the deadline's live sectors (lib.rs handle_proving_deadline). */
function deadlineCharge(h: MinerHarness, faultyQa: bigint, live: readonly SectorOnChainInfo[]): bigint {
  const reward = h.reward().thisEpochRewardSmoothed;
  const power = h.power().qualityAdjPowerSmoothed;
  const ff = pledgePenaltyForContinuedFault(reward, power, faultyQa);
  const fee = live.reduce((t, s) => t + s.dailyFee, 0n);
  if (fee === 0n) return ff;
  const liveQa = powerForSectors(2048n, live).qa;
  return ff + dailyProofFeePayable(h.policy, fee, expectedRewardForPower(reward, power, liveQa, EPOCHS_IN_DAY));
}

function burntBy(h: MinerHarness, f: () => unknown): bigint {
  const before = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
  f();
  return h.balanceOf(BURNT_FUNDS_ACTOR_ADDR) - before;
}

/** A miner whose sectors (one partition of deadline `dl`) are proven and active, just after `dl` ended. */
function activeMiner(n = 2) {
  const pm = setupProvenMiner(n);
  const { deadline } = locate(pm.h, pm.miner, 1n);
  const info = advanceToDeadline(pm.h, pm.miner, deadline);
  expect(submitPoSt(pm.h, pm.miner, postParams(pm.h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
  advanceDeadline(pm.h, pm.miner);
  return { ...pm, dl: deadline };
}

function cronCall(h: MinerHarness, miner: Address, payload: Uint8Array, from: Address = STORAGE_POWER_ACTOR_ADDR): ApplyResult {
  const reward = h.reward().thisEpochRewardSmoothed;
  const power = h.power().qualityAdjPowerSmoothed;
  const params = encodeWith(DeferredCronEventParams, { eventPayload: payload, rewardSmoothed: reward, qualityAdjPowerSmoothed: power });
  return from.equals(STORAGE_POWER_ACTOR_ADDR) ? h.implicit(from, miner, MinerMethod.OnDeferredCronEvent, params) : h.send(from, miner, MinerMethod.OnDeferredCronEvent, params);
}

describe('OnDeferredCronEvent: proving deadlines', () => {
  it('a missed PoSt makes the sectors faulty (daily fee only), the next end charges the fault fee, and a proven recovery restores power', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const full = powerForSectors(2048n, sectors);
    expect(h.claim(miner)!.qualityAdjPower).toBe(full.qa);
    expect(sectors[0]!.dailyFee).toBeGreaterThan(0n);

    // The next instance of the deadline passes without a PoSt: faults detected, no fault fee yet.
    let expected = deadlineCharge(h, 0n, sectors);
    expect(burntBy(h, () => jumpToDeadlineEnd(h, miner, dl))).toBe(expected);
    const p = partitionsOf(h, miner, dl)[0]!.partition;
    expect(p.faults.toArray()).toEqual([1, 2]);
    expect(h.claim(miner)!.qualityAdjPower).toBe(0n);
    expect(h.state(miner).feeDebt).toBe(0n);
    expect(invariantMessages(h, miner)).toEqual([]);

    // Still faulty at the following end: the continued-fault fee on their QA power, plus the daily fee.
    expected = deadlineCharge(h, full.qa, sectors);
    expect(expected).toBeGreaterThan(deadlineCharge(h, 0n, sectors));
    expect(burntBy(h, () => jumpToDeadlineEnd(h, miner, dl))).toBe(expected);

    // Declared recovered and proven in the next window: power is back.
    const recoveries = [{ deadline: dl, partition: 0n, sectors: BitField.fromIterable([1, 2]) }];
    expect(h.send(h.worker, miner, MinerMethod.DeclareFaultsRecovered, encodeWith(DeclareFaultsRecoveredParams, { recoveries })).exitCode).toBe(ExitCode.OK);
    const info = advanceToDeadline(h, miner, dl);
    expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
    expect(h.claim(miner)!.qualityAdjPower).toBe(full.qa);
    // A healthy deadline end charges the daily fee only.
    expected = deadlineCharge(h, 0n, sectors);
    expect(burntBy(h, () => advanceDeadline(h, miner))).toBe(expected);
    expect(partitionsOf(h, miner, dl)[0]!.partition.faults.isEmpty()).toBe(true);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('a fault declared before the cutoff pays the fault fee at that same deadline end', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const faults = [{ deadline: dl, partition: 0n, sectors: BitField.fromIterable([1]) }];
    expect(h.send(h.worker, miner, MinerMethod.DeclareFaults, encodeWith(DeclareFaultsParams, { faults })).exitCode).toBe(ExitCode.OK);
    // Sector 2 is proven in the window; sector 1, declared, is skipped by the proof.
    const info = jumpToDeadlineOpen(h, miner, dl);
    expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
    const expected = deadlineCharge(h, qaPowerForSector(2048n, sectors[0]!), sectors);
    expect(burntBy(h, () => jumpToDeadlineEnd(h, miner, dl))).toBe(expected);
    expect(partitionsOf(h, miner, dl)[0]!.partition.faults.toArray()).toEqual([1]);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it(`terminates sectors faulty for faultMaxAge (42 days) with the exact termination fee, releasing their pledge`, () => {
    const { h, miner, sectors, dl } = activeMiner();
    const pledge = sectors.reduce((t, s) => t + s.initialPledge, 0n);
    expect(h.state(miner).initialPledge).toBe(pledge);
    jumpToDeadlineEnd(h, miner, dl); // missed: faulty from this end
    const detectedAt = h.epoch - 1n;
    const faultExpiry = detectedAt + h.policy.faultMaxAge;

    let ends = 0;
    let last: ApplyResult | undefined;
    let burnt = 0n;
    let expected = 0n;
    while (partitionsOf(h, miner, dl)[0]!.partition.terminated.isEmpty()) {
      const reward = h.reward().thisEpochRewardSmoothed;
      const power = h.power().qualityAdjPowerSmoothed;
      const nextEnd = h.epoch - 1n + h.policy.wpostProvingPeriod;
      // Continued-fault fee on both sectors, then (at the last end) their termination fees.
      expected = pledgePenaltyForContinuedFault(reward, power, powerForSectors(2048n, sectors).qa);
      for (const s of sectors) {
        const ff = pledgePenaltyForContinuedFault(reward, power, qaPowerForSector(2048n, s));
        expected += nextEnd >= faultExpiry ? pledgePenaltyForTermination(s.initialPledge, nextEnd - s.activation, ff) : 0n;
      }
      if (nextEnd < faultExpiry) expected = deadlineCharge(h, powerForSectors(2048n, sectors).qa, sectors);
      burnt = burntBy(h, () => (last = jumpToDeadlineEnd(h, miner, dl)));
      ends++;
      expect(ends).toBeLessThan(60);
    }
    // Terminated at the first deadline end at or after the fault expiry: 42 proving periods later.
    expect(BigInt(ends)).toBe(h.policy.faultMaxAge / h.policy.wpostProvingPeriod);
    expect(burnt).toBe(expected);
    const st = h.state(miner);
    expect(st.initialPledge).toBe(0n);
    expect(st.feeDebt).toBe(0n);
    expect(st.earlyTerminations.isEmpty()).toBe(true);
    const p = partitionsOf(h, miner, dl)[0]!.partition;
    expect([p.terminated.toArray(), p.faults.toArray()]).toEqual([[1, 2], []]);
    const events = last!.events.filter((e) => e.emitter === miner.id).map((e) => e.entries);
    expect(events).toEqual([sectorEventEntries('sector-terminated', 1n), sectorEventEntries('sector-terminated', 2n)]);
    // Power already went with the faults; Power's pledge total went down by the pledge.
    expect(h.claim(miner)!.qualityAdjPower).toBe(0n);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('expires sectors on time at the end of their deadline: pledge and power released, no fee, the market not told', () => {
    // A short minimum lifetime keeps the scenario to ~45 proving periods.
    const policy = definePolicy(DEVNET_POLICY, { minSectorExpiration: 3n * 2880n, name: 'short sectors' });
    const { h, miner, sectors } = setupProvenMiner(2, createMinerHarness({ policy }));
    const { deadline: dl } = locate(h, miner, 1n);
    const quant = state.quantSpecForDeadline(h.policy, h.state(miner), dl);
    const expiryEnd = quant.quantizeUp(sectors[0]!.expiration);
    const pledge = sectors.reduce((t, s) => t + s.initialPledge, 0n);
    let periods = 0;
    // Prove the deadline every period until the end at which the sectors expire.
    for (;;) {
      const info = jumpToDeadlineOpen(h, miner, dl);
      expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
      if (info.last() === expiryEnd) break;
      jumpToDeadlineEnd(h, miner, dl);
      periods++;
      expect(periods).toBeLessThan(60);
    }
    expect(h.claim(miner)!.rawBytePower).toBe(4096n);
    const networkPledge = h.power().totalPledgeCollateral;
    const locked = h.state(miner).lockedFunds;
    let end: ApplyResult | undefined;
    expect(burntBy(h, () => (end = jumpToDeadlineEnd(h, miner, dl)))).toBe(0n);
    const st = h.state(miner);
    expect(st.initialPledge).toBe(0n);
    // Power's total loses the pledge and whatever vested at this end.
    expect(networkPledge - h.power().totalPledgeCollateral).toBe(pledge + (locked - st.lockedFunds));
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 0n, qualityAdjPower: 0n });
    expect(partitionsOf(h, miner, dl)[0]!.partition.terminated.toArray()).toEqual([1, 2]);
    expect(st.earlyTerminations.isEmpty()).toBe(true);
    // No termination events, no call to the market.
    expect(end!.events.filter((e) => e.emitter === miner.id)).toEqual([]);
    const calls = (f: TraceFrame): TraceFrame[] => [f, ...f.subcalls.flatMap(calls)];
    const all = calls(end!.trace!);
    expect(all.some((f) => f.from === miner.id && f.to.equals(STORAGE_POWER_ACTOR_ADDR) && f.method === 6)).toBe(true); // pledge update
    expect(all.some((f) => f.from === miner.id && f.toId === 5n)).toBe(false);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('burns the deposit of a pre-commit never proven, once its clean-up epoch has come', () => {
    const h = createMinerHarness();
    const { miner } = h.createMiner();
    expect(h.precommit(miner, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.OK);
    const deposit = h.state(miner).preCommitDeposits;
    expect(deposit).toBeGreaterThan(0n);
    const cleanup = [...Amt.load<unknown>(h.machine.store, h.state(miner).preCommittedSectorsCleanup).entries()].map(([e]) => e);
    expect(cleanup.length).toBe(1);
    const at = cleanup[0]!;
    // Clean-up epochs are quantized to deadline openings: the deadline ending just before burns nothing…
    const before = state.deadlineInfo(h.policy, h.state(miner), at - 1n);
    expect(before.last()).toBe(at - 1n);
    h.setEpoch(before.last());
    expect(burntBy(h, () => h.cronTick())).toBe(0n);
    expect(h.state(miner).preCommitDeposits).toBe(deposit);
    // …the one opening at it burns the deposit when it ends.
    const end = state.deadlineInfo(h.policy, h.state(miner), at);
    expect(end.open).toBe(at);
    h.setEpoch(end.last());
    expect(burntBy(h, () => h.cronTick())).toBe(deposit);
    const st = h.state(miner);
    expect(st.preCommitDeposits).toBe(0n);
    expect(state.getPrecommittedSector(h.machine.store, st, 1n)).toBeUndefined();
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('stops re-enrolling once no pledge, deposit or locked funds remain', () => {
    // No FIP-0077 deposit: nothing is locked at creation.
    const h = createMinerHarness({ policy: definePolicy(DEVNET_POLICY, { createMinerDepositPower: 0n, name: 'no deposit' }) });
    const { miner } = h.createMiner();
    expect(h.state(miner).lockedFunds).toBe(0n);
    expect(h.precommit(miner, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.OK);
    expect(h.state(miner).deadlineCronActive).toBe(true);
    const at = [...Amt.load<unknown>(h.machine.store, h.state(miner).preCommittedSectorsCleanup).entries()].map(([e]) => e)[0]!;
    const end = state.deadlineInfo(h.policy, h.state(miner), at);
    h.setEpoch(end.last());
    expect(h.cronTick().exitCode).toBe(ExitCode.OK);
    const st = h.state(miner);
    expect([st.preCommitDeposits, st.initialPledge, st.lockedFunds]).toEqual([0n, 0n, 0n]);
    expect(st.deadlineCronActive).toBe(false);
    expect(h.cronEvents(miner)).toEqual([]);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('applies a pending worker key change at the first deadline end after it is due', () => {
    const { h, miner } = setupProvenMiner(1);
    const params = encodeWith(ChangeWorkerAddressParams, { newWorker: h.worker2, newControlAddresses: [] });
    expect(h.send(h.owner, miner, MinerMethod.ChangeWorkerAddress, params).exitCode).toBe(ExitCode.OK);
    const due = h.info(miner).pendingWorkerKey!.effectiveAt;
    expect(due).toBe(h.epoch + h.policy.workerKeyChangeDelay);
    while (h.epoch <= due) {
      expect(h.info(miner).worker.equals(h.worker)).toBe(true);
      advanceDeadline(h, miner);
    }
    expect(h.info(miner).worker.equals(h.worker2)).toBe(true);
    expect(h.info(miner).pendingWorkerKey).toBeNull();
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('OnDeferredCronEvent: early terminations beyond the per-call limit', () => {
  it('processes addressedSectorsMax sectors per call and schedules event 2 for the next epoch until the queue is empty', () => {
    // A short fault limit and one sector per batch (definePolicy-style overrides of the devnet policy).
    const policy = definePolicy(DEVNET_POLICY, { faultMaxAge: 2n * 2880n, addressedSectorsMax: 1n, name: 'short faults' });
    const pm = setupProvenMiner(2, createMinerHarness({ policy }));
    const { h, miner, sectors } = pm;
    const { deadline: dl } = locate(h, miner, 1n);
    // Never proven (a one-sector batch limit forbids any PoSt of a 2-sector partition): faulty at the first end.
    jumpToDeadlineEnd(h, miner, dl);
    expect(partitionsOf(h, miner, dl)[0]!.partition.faults.toArray()).toEqual([1, 2]);
    jumpToDeadlineEnd(h, miner, dl);
    expect(partitionsOf(h, miner, dl)[0]!.partition.terminated.isEmpty()).toBe(true);
    const end = jumpToDeadlineEnd(h, miner, dl); // fault limit reached: both queued, one processed
    const endEpoch = h.epoch - 1n;
    const ev = (r: ApplyResult) => r.events.filter((e) => e.emitter === miner.id).map((e) => e.entries);
    expect(ev(end)).toEqual([sectorEventEntries('sector-terminated', 1n)]);
    expect(h.state(miner).initialPledge).toBe(sectors[1]!.initialPledge);
    expect(h.state(miner).earlyTerminations.toArray()).toEqual([Number(dl)]);
    expect(h.cronEvents(miner)).toContain(endEpoch + 1n);
    // The next epoch's cron processes the other one and stops.
    expect(h.epoch).toBe(endEpoch + 1n);
    const next = h.cronTick();
    expect(ev(next)).toEqual([sectorEventEntries('sector-terminated', 2n)]);
    const st = h.state(miner);
    expect(st.initialPledge).toBe(0n);
    expect(st.earlyTerminations.isEmpty()).toBe(true);
    expect(h.cronEvents(miner)).not.toContain(endEpoch + 2n);
    expect(partitionsOf(h, miner, dl)[0]!.partition.terminated.toArray()).toEqual([1, 2]);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('OnDeferredCronEvent: checks', () => {
  it('answers the power actor only (18), rejects an undecodable payload (20) and ignores unknown event types', () => {
    const { h, miner } = setupProvenMiner(1);
    const payload = (eventType: bigint) => encodeWith(CronEventPayload, { eventType });
    expect(cronCall(h, miner, payload(1n), h.worker).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const bad = cronCall(h, miner, new Uint8Array([0xff]));
    expect(bad.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(bad.failureInfo).toContain('failed to unmarshal miner cron payload');
    const before = h.machine.getActor(miner)!.head;
    expect(cronCall(h, miner, payload(7n)).exitCode).toBe(ExitCode.OK);
    expect(h.machine.getActor(miner)!.head.equals(before)).toBe(true);
    // Event 2 with an empty queue does nothing either.
    expect(cronCall(h, miner, payload(2n)).exitCode).toBe(ExitCode.OK);
    expect(h.machine.getActor(miner)!.head.equals(before)).toBe(true);
  });
});

/**
 * SubmitWindowedPoSt, DisputeWindowedPoSt, DeclareFaults, DeclareFaultsRecovered, CheckSectorProven and
 * the sector-status getters on the miner harness (builtin-actors v18 miner_actor_test_wpost.rs,
 * declare_faults.rs, declare_recoveries.rs, check_sector_proven_test.rs, sector_status_test.rs).
 * Every scenario ends with the invariant checker.
 */
import { type Address, type ApplyResult, BitField, ExitCode, codec as c, encodeWith, putCbor } from 'fvm-sim';
import { checkMinerStateInvariants } from './invariants.js';
import { describe, expect, it } from 'vitest';
import { BURNT_FUNDS_ACTOR_ADDR, REWARD_ACTOR_ADDR } from '../../shared/singletons.js';
import * as dls from './deadlineState.js';
import { INVALID_POST_PROOF, NO_DEADLINE, NO_PARTITION } from './methods/proving.js';
import { BASE_REWARD_FOR_DISPUTED_WINDOW_POST, pledgePenaltyForInvalidWindowPoSt } from './monies.js';
import { MAX_SECTOR_NUMBER, RegisteredPoStProof, powerForSectors } from './policy.js';
import {
  type ProvenMiner,
  advanceDeadline,
  advanceToDeadline,
  invariantMessages,
  locate,
  partitionsOf,
  postParams,
  setupProvenMiner,
  submitPoSt,
} from './provingKit.js';
import * as state from './state.js';
import { SimBlockHeader } from './methods/funds.js';
import { FIL, type MinerHarness, pieceCid, ret } from './testHarness.js';
import {
  ApplyRewardParams,
  CheckSectorProvenParams,
  Deadline,
  Deadlines,
  DeclareFaultsParams,
  DeclareFaultsRecoveredParams,
  DisputeWindowedPoStParams,
  GenerateSectorLocationParams,
  GenerateSectorLocationReturn,
  GetNominalSectorExpirationParams,
  MinerMethod,
  ReportConsensusFaultParams,
  SectorLocation,
  SectorStatusCode,
  ValidateSectorStatusParams,
} from './types.js';

const NO_SKIP = new BitField();
const claimOf = (h: MinerHarness, miner: Address) => h.claim(miner)!;

/** A miner whose sectors 1..n (all in one partition of deadline `dl`) have been proven once. */
function activeMiner(n = 2): ProvenMiner & { dl: bigint } {
  const pm = setupProvenMiner(n);
  const { deadline } = locate(pm.h, pm.miner, 1n);
  const info = advanceToDeadline(pm.h, pm.miner, deadline);
  const r = submitPoSt(pm.h, pm.miner, postParams(pm.h, info, [{ index: 0n, skipped: NO_SKIP }]));
  expect(r.exitCode).toBe(ExitCode.OK);
  advanceDeadline(pm.h, pm.miner);
  return { ...pm, dl: deadline };
}

function declare(h: MinerHarness, miner: Address, method: number, dl: bigint, sectors: number[], from: Address = h.worker): ApplyResult {
  const decls = [{ deadline: dl, partition: 0n, sectors: BitField.fromIterable(sectors) }];
  const params = method === MinerMethod.DeclareFaults ? encodeWith(DeclareFaultsParams, { faults: decls }) : encodeWith(DeclareFaultsRecoveredParams, { recoveries: decls });
  return h.send(from, miner, method, params);
}

describe('SubmitWindowedPoSt', () => {
  it('activates unproven sectors: power is claimed, the partition is marked posted and the proof kept for disputes', () => {
    const { h, miner, sectors } = setupProvenMiner(2);
    const { deadline } = locate(h, miner, 1n);
    const dl = advanceToDeadline(h, miner, deadline);
    expect(claimOf(h, miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 0n, qualityAdjPower: 0n });
    const params = postParams(h, dl, [{ index: 0n, skipped: NO_SKIP }]);
    expect(submitPoSt(h, miner, params).exitCode).toBe(ExitCode.OK);
    const power = powerForSectors(2048n, sectors);
    expect(claimOf(h, miner)).toEqual({ windowPoStProofType: 10, rawBytePower: power.raw, qualityAdjPower: power.qa });

    const st = h.state(miner);
    const deadlineSt = state.loadDeadlines(h.machine.store, st).loadDeadline(h.machine.store, deadline);
    expect(deadlineSt.partitionsPosted.toArray()).toEqual([0]);
    const proofs = dls.optimisticProofsAmt(h.machine.store, deadlineSt);
    expect(proofs.count()).toBe(1n);
    expect(proofs.get(0n)!.partitions.toArray()).toEqual([0]);
    expect(partitionsOf(h, miner, deadline)[0]!.partition.unproven.isEmpty()).toBe(true);

    // The same partition cannot be proven twice in a window.
    const again = submitPoSt(h, miner, params);
    expect(again.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(again.failureInfo).toContain('partition already proven');
    expect(invariantMessages(h, miner)).toEqual([]);

    // The checker catches a corrupted copy of this real state: a pledge that is not the sectors', a
    // deadline whose memoized power lost a sector.
    const check = (s: typeof st) => checkMinerStateInvariants(h.policy, s, h.machine.store, h.balanceOf(miner)).messages;
    expect(check({ ...st, deadlineCronActive: false })).toEqual(['DeadlineCronActive == false when IP+PCD+LF > 0']);
    const deadlines = state.loadDeadlines(h.machine.store, st);
    const corrupted = { ...deadlineSt, livePower: powerForSectors(2048n, [sectors[0]!]) };
    deadlines.due[Number(deadline)] = putCbor(h.machine.store, Deadline.toCbor(corrupted));
    const bad = { ...st, deadlines: putCbor(h.machine.store, Deadlines.toCbor(deadlines.toCodec())) };
    expect(check(bad)).toEqual([`deadline ${deadline}: deadline live power {raw: 2048, qa: 2048} != partitions total {raw: 4096, qa: 4096}`]);
  });

  it('checks its params, caller and timing in builtin-actors order, with their exit codes', () => {
    const { h, miner } = setupProvenMiner(2);
    const { deadline } = locate(h, miner, 1n);
    const dl = advanceToDeadline(h, miner, deadline);
    const good = postParams(h, dl, [{ index: 0n, skipped: NO_SKIP }]);
    const proof = good.proofs[0]!;
    const cases: [string, ReturnType<typeof postParams>, number, string, Address?][] = [
      ['two proofs', { ...good, proofs: [proof, proof] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'expected exactly one proof, got 2'],
      ['disallowed type', { ...good, proofs: [{ ...proof, postProof: RegisteredPoStProof.StackedDRGWindow32GiBV1P1 }] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'proof type 13 not allowed'],
      ['deadline 48', { ...good, deadline: 48n }, ExitCode.USR_ILLEGAL_ARGUMENT, 'invalid deadline 48 of 48'],
      ['33 bytes of randomness', { ...good, chainCommitRand: new Uint8Array(33) }, ExitCode.USR_ILLEGAL_ARGUMENT, 'expected at most 32 bytes of randomness, got 33'],
      ['not a control address', good, ExitCode.USR_FORBIDDEN, '', h.other],
      ['other sector size', { ...good, proofs: [{ ...proof, postProof: RegisteredPoStProof.StackedDRGWindow8MiBV1P1 }] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'expected proof of type 10, got 11'],
      ['proof too long', { ...good, proofs: [{ ...proof, proofBytes: new Uint8Array(193) }] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'expected proof to be smaller than 192 bytes'],
      [
        'four partitions',
        { ...good, partitions: [0n, 1n, 2n, 3n].map((index) => ({ index, skipped: NO_SKIP })) },
        ExitCode.USR_ILLEGAL_ARGUMENT,
        'too many partitions 4, limit 3',
      ],
      ['another deadline', { ...good, deadline: (deadline + 1n) % 48n }, ExitCode.USR_ILLEGAL_ARGUMENT, `expected ${deadline}`],
      ['commit before the challenge', { ...good, chainCommitEpoch: dl.challenge - 1n }, ExitCode.USR_ILLEGAL_ARGUMENT, `to be after ${dl.challenge}`],
      ['commit at the current epoch', { ...good, chainCommitEpoch: h.epoch }, ExitCode.USR_ILLEGAL_ARGUMENT, 'must be less than the current epoch'],
      ['wrong randomness', { ...good, chainCommitRand: new Uint8Array(32) }, ExitCode.USR_ILLEGAL_ARGUMENT, 'post commit randomness mismatched'],
      ['no such partition', { ...good, partitions: [{ index: 1n, skipped: NO_SKIP }] }, ExitCode.USR_NOT_FOUND, 'no such partition 1'],
      ['duplicate partitions', { ...good, partitions: [{ index: 0n, skipped: NO_SKIP }, { index: 0n, skipped: NO_SKIP }] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'duplicate partitions proven'],
      ['everything skipped', { ...good, partitions: [{ index: 0n, skipped: BitField.fromIterable([1, 2]) }] }, ExitCode.USR_ILLEGAL_ARGUMENT, 'cannot prove partitions with no active sectors'],
    ];
    for (const [name, params, code, msg, from] of cases) {
      const r = submitPoSt(h, miner, params, from);
      expect([name, r.exitCode]).toEqual([name, code]);
      expect(r.failureInfo).toContain(msg);
    }
    expect(claimOf(h, miner).rawBytePower).toBe(0n);
    expect(submitPoSt(h, miner, good, h.owner).exitCode).toBe(ExitCode.OK);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('turns skipped sectors into faults: their power is not claimed', () => {
    const { h, miner, sectors } = setupProvenMiner(2);
    const { deadline } = locate(h, miner, 1n);
    const dl = advanceToDeadline(h, miner, deadline);
    expect(submitPoSt(h, miner, postParams(h, dl, [{ index: 0n, skipped: BitField.fromIterable([2]) }])).exitCode).toBe(ExitCode.OK);
    const p = partitionsOf(h, miner, deadline)[0]!.partition;
    expect(p.faults.toArray()).toEqual([2]);
    const power = powerForSectors(2048n, [sectors[0]!]);
    expect(claimOf(h, miner)).toEqual({ windowPoStProofType: 10, rawBytePower: power.raw, qualityAdjPower: power.qa });
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('DeclareFaults and DeclareFaultsRecovered', () => {
  it('a declared fault loses power at once; the recovery is proven by the next PoSt, which must then be valid', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const full = powerForSectors(2048n, sectors);
    expect(claimOf(h, miner).qualityAdjPower).toBe(full.qa);

    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [1]).exitCode).toBe(ExitCode.OK);
    const afterFault = powerForSectors(2048n, [sectors[1]!]);
    expect(claimOf(h, miner)).toEqual({ windowPoStProofType: 10, rawBytePower: afterFault.raw, qualityAdjPower: afterFault.qa });
    expect(partitionsOf(h, miner, dl)[0]!.partition.faults.toArray()).toEqual([1]);

    expect(declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]).exitCode).toBe(ExitCode.OK);
    expect(partitionsOf(h, miner, dl)[0]!.partition.recoveries.toArray()).toEqual([1]);
    // Recovery restores nothing until proven.
    expect(claimOf(h, miner).qualityAdjPower).toBe(afterFault.qa);
    expect(invariantMessages(h, miner)).toEqual([]);

    const info = advanceToDeadline(h, miner, dl);
    // With power recovering, the proof is judged at once.
    const bad = postParams(h, info, [{ index: 0n, skipped: NO_SKIP }], { proofs: [{ postProof: RegisteredPoStProof.StackedDRGWindow2KiBV1P1, proofBytes: INVALID_POST_PROOF }] });
    const r = submitPoSt(h, miner, bad);
    expect(r.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(r.failureInfo).toContain('invalid post was submitted');
    expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
    expect(claimOf(h, miner).qualityAdjPower).toBe(full.qa);
    const p = partitionsOf(h, miner, dl)[0]!.partition;
    expect([p.faults.toArray(), p.recoveries.toArray()]).toEqual([[], []]);
    // A recovered PoSt is not stored for dispute.
    const deadlineSt = state.loadDeadlines(h.machine.store, h.state(miner)).loadDeadline(h.machine.store, dl);
    expect(dls.optimisticProofsAmt(h.machine.store, deadlineSt).count()).toBe(0n);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('a recovering sector skipped by the PoSt stays faulty and its recovery is dropped', () => {
    const { h, miner, sectors, dl } = activeMiner();
    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [1]).exitCode).toBe(ExitCode.OK);
    expect(declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]).exitCode).toBe(ExitCode.OK);
    const info = advanceToDeadline(h, miner, dl);
    expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: BitField.fromIterable([1]) }])).exitCode).toBe(ExitCode.OK);
    const p = partitionsOf(h, miner, dl)[0]!.partition;
    expect([p.faults.toArray(), p.recoveries.toArray()]).toEqual([[1], []]);
    expect(claimOf(h, miner).qualityAdjPower).toBe(powerForSectors(2048n, [sectors[1]!]).qa);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('rejects late, foreign, out-of-range and unknown declarations', () => {
    const { h, miner, dl } = activeMiner();
    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [1], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // A recovery of a sector that is not faulty changes nothing.
    expect(declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]).exitCode).toBe(ExitCode.OK);
    expect(partitionsOf(h, miner, dl)[0]!.partition.recoveries.isEmpty()).toBe(true);
    // Sectors that are not in the partition.
    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [7]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r48 = declare(h, miner, MinerMethod.DeclareFaults, 48n, [1]);
    expect(r48.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(r48.failureInfo).toContain('failed to process deadline 48, partition 0');
    const missing = h.send(h.worker, miner, MinerMethod.DeclareFaults, encodeWith(DeclareFaultsParams, { faults: [{ deadline: dl, partition: 5n, sectors: BitField.fromIterable([1]) }] }));
    expect(missing.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    // Past the fault cutoff of the deadline's next instance.
    advanceToDeadline(h, miner, dl);
    const late = declare(h, miner, MinerMethod.DeclareFaults, dl, [1]);
    expect(late.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(late.failureInfo).toContain(`failed fault declaration at deadline ${dl}: late fault or recovery declaration`);
    const lateRecovery = declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]);
    expect(lateRecovery.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('recoveries need the fee debt repaid from the unlocked balance (19) and no active consensus fault', () => {
    const { h, miner, dl } = activeMiner();
    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [1, 2]).exitCode).toBe(ExitCode.OK);
    // A penalty larger than the unlocked balance leaves fee debt.
    const st = h.state(miner);
    // Vesting funds (the create-miner deposit) pay debt first, then the unlocked balance.
    const payable = h.balanceOf(miner) - st.preCommitDeposits - st.initialPledge;
    h.implicit(REWARD_ACTOR_ADDR, miner, MinerMethod.ApplyRewards, encodeWith(ApplyRewardParams, { reward: 0n, penalty: payable + 5n }));
    expect(h.state(miner).feeDebt).toBe(5n);
    const r = declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]);
    expect(r.exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    // Funded again, the debt is burnt by the recovery itself.
    h.send(h.owner, miner, 0, null, FIL);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    expect(declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [1]).exitCode).toBe(ExitCode.OK);
    expect(h.state(miner).feeDebt).toBe(0n);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR) - burnt).toBe(5n);

    // During a consensus fault (until finality after the fault), recoveries are forbidden.
    const epoch = h.epoch;
    const header = (parent: number) => encodeWith(SimBlockHeader, { miner, epoch: epoch - 10n, parents: [pieceCid(parent)] });
    const fault = encodeWith(ReportConsensusFaultParams, { header1: header(1), header2: header(2), headerExtra: new Uint8Array() });
    expect(h.send(h.other, miner, MinerMethod.ReportConsensusFault, fault).exitCode).toBe(ExitCode.OK);
    // The fault's penalty is fee debt until the miner is funded.
    h.send(h.owner, miner, 0, null, 1000n * FIL);
    const forbidden = declare(h, miner, MinerMethod.DeclareFaultsRecovered, dl, [2]);
    expect(forbidden.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(forbidden.failureInfo).toContain('recovery not allowed during active consensus fault');
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('DisputeWindowedPoSt', () => {
  it('an invalid optimistic PoSt is disputed: faults, the penalty burnt, and the 4 FIL reward to the reporter', () => {
    const { h, miner, sectors } = setupProvenMiner(2);
    const { deadline } = locate(h, miner, 1n);
    const dl = advanceToDeadline(h, miner, deadline);
    const bad = postParams(h, dl, [{ index: 0n, skipped: NO_SKIP }], { proofs: [{ postProof: RegisteredPoStProof.StackedDRGWindow2KiBV1P1, proofBytes: INVALID_POST_PROOF }] });
    // Nothing recovering: accepted optimistically.
    expect(submitPoSt(h, miner, bad).exitCode).toBe(ExitCode.OK);
    const full = powerForSectors(2048n, sectors);
    expect(claimOf(h, miner).qualityAdjPower).toBe(full.qa);
    const dispute = encodeWith(DisputeWindowedPoStParams, { deadline, postIndex: 0n });
    // Not while its window is open.
    const early = h.send(h.other, miner, MinerMethod.DisputeWindowedPoSt, dispute);
    expect(early.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    advanceDeadline(h, miner);

    const reward = h.reward();
    const power = h.power();
    const penalty = pledgePenaltyForInvalidWindowPoSt(reward.thisEpochRewardSmoothed, power.qualityAdjPowerSmoothed, full.qa) + BASE_REWARD_FOR_DISPUTED_WINDOW_POST;
    const reporterBefore = h.balanceOf(h.other);
    const burntBefore = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    const r = h.send(h.other, miner, MinerMethod.DisputeWindowedPoSt, dispute);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(h.balanceOf(h.other) - reporterBefore).toBe(BASE_REWARD_FOR_DISPUTED_WINDOW_POST);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR) - burntBefore).toBe(penalty - BASE_REWARD_FOR_DISPUTED_WINDOW_POST);
    expect(h.state(miner).feeDebt).toBe(0n);
    expect(partitionsOf(h, miner, deadline)[0]!.partition.faults.toArray()).toEqual([1, 2]);
    expect(claimOf(h, miner).qualityAdjPower).toBe(0n);
    // The PoSt left the snapshot: it cannot be disputed twice.
    const twice = h.send(h.other, miner, MinerMethod.DisputeWindowedPoSt, dispute);
    expect(twice.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(twice.failureInfo).toContain('proof 0 not found');
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('a valid PoSt cannot be disputed, nor a deadline out of range, nor after the dispute window', () => {
    const { h, miner, dl } = activeMiner();
    const dispute = (deadline: bigint) => h.send(h.other, miner, MinerMethod.DisputeWindowedPoSt, encodeWith(DisputeWindowedPoStParams, { deadline, postIndex: 0n }));
    const valid = dispute(dl);
    expect(valid.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(valid.failureInfo).toContain('failed to dispute valid post');
    expect(dispute(48n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    h.setEpoch(h.epoch + h.policy.wpostDisputeWindow);
    expect(dispute(dl).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

describe('CheckSectorProven and the sector-status getters', () => {
  it('CheckSectorProven answers for proven sectors only', () => {
    const { h, miner } = setupProvenMiner(1);
    const check = (n: bigint) => h.send(h.other, miner, MinerMethod.CheckSectorProven, encodeWith(CheckSectorProvenParams, { sectorNumber: n }));
    expect(check(1n).exitCode).toBe(ExitCode.OK);
    const missing = check(2n);
    expect(missing.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(missing.failureInfo).toContain('sector 2 not proven');
    expect(check(MAX_SECTOR_NUMBER + 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('GenerateSectorLocation, ValidateSectorStatus and GetNominalSectorExpiration follow a sector through a fault', () => {
    const { h, miner, sectors, dl } = activeMiner();
    const generate = (n: bigint) => ret(GenerateSectorLocationReturn, h.send(h.other, miner, MinerMethod.GenerateSectorLocationExported, encodeWith(GenerateSectorLocationParams, { sectorNumber: n })));
    const validate = (n: bigint, status: number, auxData: Uint8Array) =>
      h.send(h.other, miner, MinerMethod.ValidateSectorStatusExported, encodeWith(ValidateSectorStatusParams, { sectorNumber: n, status, auxData }));
    const at = encodeWith(SectorLocation, { deadline: dl, partition: 0n });
    expect(generate(1n)).toEqual({ status: SectorStatusCode.Active, auxData: at });
    expect(ret(c.bool, validate(1n, SectorStatusCode.Active, at))).toBe(true);
    expect(ret(c.bool, validate(1n, SectorStatusCode.Faulty, at))).toBe(false);

    expect(declare(h, miner, MinerMethod.DeclareFaults, dl, [1]).exitCode).toBe(ExitCode.OK);
    expect(generate(1n).status).toBe(SectorStatusCode.Faulty);
    expect(ret(c.bool, validate(1n, SectorStatusCode.Faulty, at))).toBe(true);
    expect(ret(c.bool, validate(1n, SectorStatusCode.Dead, at))).toBe(false);

    // An unknown sector: dead, untracked.
    const untracked = encodeWith(SectorLocation, { deadline: NO_DEADLINE, partition: NO_PARTITION });
    expect(generate(9n)).toEqual({ status: SectorStatusCode.Dead, auxData: untracked });
    expect(ret(c.bool, validate(9n, SectorStatusCode.Dead, untracked))).toBe(true);
    expect(ret(c.bool, validate(9n, SectorStatusCode.Active, untracked))).toBe(false);
    expect(validate(1n, SectorStatusCode.Dead, untracked).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(validate(1n, SectorStatusCode.Active, encodeWith(SectorLocation, { deadline: -1n, partition: 0n })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(validate(1n, SectorStatusCode.Active, new Uint8Array([0xff])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(validate(1n, 3, at).exitCode).toBe(ExitCode.USR_SERIALIZATION);
    expect(validate(1n, SectorStatusCode.Active, encodeWith(SectorLocation, { deadline: dl, partition: 3n })).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    const otherDl = encodeWith(SectorLocation, { deadline: (dl + 1n) % 48n, partition: 0n });
    expect(validate(1n, SectorStatusCode.Active, otherDl).exitCode).toBe(ExitCode.USR_NOT_FOUND);

    const nominal = (n: bigint) => h.send(h.other, miner, MinerMethod.GetNominalSectorExpirationExported, encodeWith(GetNominalSectorExpirationParams, n));
    expect(ret(c.i64, nominal(1n))).toBe(sectors[0]!.expiration);
    expect(nominal(9n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(invariantMessages(h, miner)).toEqual([]);
  });
});

import { type Address, BitField, DomainSeparationTag, ExitCode, drawRandomness, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BatchReturn } from '../../shared/codecs.js';
import { BURNT_FUNDS_ACTOR_ADDR } from '../../shared/singletons.js';
import { computeUnsealedSectorCid, pieceCommitmentOf } from '../market/commd.js';
import { newDeadlineInfo } from './deadlines.js';
import { sectorInfoEventEntries } from './emit.js';
import * as state from './state.js';
import { MinerMethod, ProveReplicaUpdates3Params, SubmitWindowedPoStParams } from './types.js';
import { type MinerHarness, createMinerHarness, pieceCid, ret, sealedCid } from './testHarness.js';

const DAY = 2880n;

function setup() {
  const h = createMinerHarness();
  const { miner, result } = h.createMiner();
  expect(result.exitCode).toBe(ExitCode.OK);
  return { h, miner };
}

/** Onboards sectors 1 and 2 (pre-commit at 1000, prove at 1011) and proves their deadline's first window; returns where they are. */
function onboardAndPost(h: MinerHarness, miner: Address) {
  expect(h.precommit(miner, [h.precommitInfo(1n), h.precommitInfo(2n)]).exitCode).toBe(ExitCode.OK);
  h.setEpoch(1011n);
  expect(h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }]).exitCode).toBe(ExitCode.OK);
  const st = h.state(miner);
  const loc = state.findSector(h.machine.store, st, 1n);
  const dl = newDeadlineInfo(h.policy, st.provingPeriodStart, loc.deadline, h.epoch).nextNotElapsed();
  h.setEpoch(dl.open + 1n);
  const chainCommitEpoch = dl.challenge;
  const chainCommitRand = drawRandomness(h.machine.randomnessBase('chain', chainCommitEpoch), DomainSeparationTag.PoStChainCommit, chainCommitEpoch, new Uint8Array());
  const post = encodeWith(SubmitWindowedPoStParams, {
    deadline: loc.deadline,
    partitions: [{ index: loc.partition, skipped: new BitField() }],
    proofs: [{ postProof: 10, proofBytes: new Uint8Array(192) }],
    chainCommitEpoch,
    chainCommitRand,
  });
  return { loc, dl, post };
}

describe('pre-commit expiry (deadline cron)', () => {
  it('burns the deposit of a pre-commit never proven once its clean-up epoch has passed', () => {
    const { h, miner } = setup();
    expect(h.precommit(miner, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.OK);
    const deposit = h.preCommitDeposit(2048n);
    const cleanUp = 1000n + 30n * DAY + h.policy.preCommitChallengeDelay + h.policy.expiredPreCommitCleanUpDelay;
    h.setEpoch(cleanUp + h.policy.wpostChallengeWindow);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    const balance = h.balanceOf(miner);
    expect(h.cronTick().exitCode).toBe(ExitCode.OK);
    const st = h.state(miner);
    expect(st.preCommitDeposits).toBe(0n);
    expect(state.getPrecommittedSector(h.machine.store, st, 1n)).toBeUndefined();
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR)).toBe(burnt + deposit);
    expect(h.balanceOf(miner)).toBe(balance - deposit);
  });
});

describe('power after prove-commit', () => {
  it('comes with the first Window PoSt of the sectors’ deadline (Power claim updated)', () => {
    const { h, miner } = setup();
    const { post } = onboardAndPost(h, miner);
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 0n, qualityAdjPower: 0n });
    const r = h.send(h.worker, miner, MinerMethod.SubmitWindowedPoSt, post);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 4096n, qualityAdjPower: 4096n });
  });
});

describe('ProveReplicaUpdates3', () => {
  it('puts data into a proven CC sector: new CommR, sector key kept, deal weight, event and pledge', () => {
    const { h, miner } = setup();
    const { loc, dl, post } = onboardAndPost(h, miner);
    expect(h.send(h.worker, miner, MinerMethod.SubmitWindowedPoSt, post).exitCode).toBe(ExitCode.OK);
    // Two deadlines later the sector's deadline is mutable again.
    h.setEpoch(dl.close + 2n * h.policy.wpostChallengeWindow);
    const piece = pieceCid(3);
    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    const before = state.getSector(h.machine.store, h.state(miner), 1n)!;
    const params = (proofs: Uint8Array[], over: Partial<ProveReplicaUpdates3Params> = {}) =>
      encodeWith(ProveReplicaUpdates3Params, {
        sectorUpdates: [
          { sector: 1n, deadline: loc.deadline, partition: loc.partition, newSealedCid: sealedCid(500), pieces: [{ cid: piece, size: 2048n, verifiedAllocationKey: null, notify: [] }] },
        ],
        sectorProofs: proofs,
        aggregateProof: new Uint8Array(0),
        updateProofsType: 0,
        aggregateProofType: null,
        requireActivationSuccess: true,
        requireNotificationSuccess: true,
        ...over,
      });
    // Wrong update proof type, an empty proof: 16.
    expect(h.send(h.worker, miner, MinerMethod.ProveReplicaUpdates3, params([new Uint8Array(100)], { updateProofsType: 1 })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.send(h.worker, miner, MinerMethod.ProveReplicaUpdates3, params([new Uint8Array(0)])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const pledge = h.initialPledge(2048n);
    const r = h.send(h.worker, miner, MinerMethod.ProveReplicaUpdates3, params([new Uint8Array(100)]));
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(ret(BatchReturn, r)).toEqual({ successCount: 1, failCodes: [] });
    const after = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(after.sealedCid.equals(sealedCid(500))).toBe(true);
    expect(after.sectorKeyCid?.equals(before.sealedCid)).toBe(true);
    expect(after.powerBaseEpoch).toBe(h.epoch);
    expect(after.dealWeight).toBe(2048n * (after.expiration - h.epoch));
    expect(after.verifiedDealWeight).toBe(0n);
    expect(after.initialPledge).toBe(before.initialPledge > pledge ? before.initialPledge : pledge);
    expect(after.dailyFee).toBe(before.dailyFee); // same QA power: unverified data keeps quality 1
    expect(r.events.filter((e) => e.emitter === miner.id).map((e) => e.entries)).toEqual([sectorInfoEventEntries('sector-updated', 1n, commd, [{ cid: piece, size: 2048n }])]);
    expect(h.claim(miner)?.qualityAdjPower).toBe(4096n);
    // The sector now holds data: it cannot be updated again.
    expect(h.send(h.worker, miner, MinerMethod.ProveReplicaUpdates3, params([new Uint8Array(100)])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });
});

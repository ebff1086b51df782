import { Address, type ApplyResult, ExitCode, codec as c, encodeWith, getCbor, mockSignature } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BatchReturn } from '../../shared/codecs.js';
import { REWARD_ACTOR_ADDR, STORAGE_MARKET_ACTOR_ADDR, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { computeUnsealedSectorCid, pieceCommitmentOf } from '../market/commd.js';
import { findDealState } from '../market/state.js';
import { DealProposal, MarketMethod, MarketState, PublishStorageDealsParams, PublishStorageDealsReturn } from '../market/types.js';
import { sectorEventEntries, sectorInfoEventEntries } from './emit.js';
import { SimBlockHeader } from './methods/funds.js';
import { createMinerDeposit, initialPledgeForPower } from './monies.js';
import { RegisteredSealProof, dailyProofFee } from './policy.js';
import * as state from './state.js';
import {
  ApplyRewardParams,
  Deadline,
  InternalSectorSetupForPresealParams,
  MinerMethod,
  ProveCommitSectorsNIParams,
  ProveReplicaUpdates3Params,
  ReportConsensusFaultParams,
  type SectorOnChainInfo,
} from './types.js';
import { FIL, HARNESS_CIRCULATING_SUPPLY, HARNESS_NETWORK_PLEDGE, type MinerHarness, SEAL_PROOF_BYTES, createMinerHarness, pieceCid, ret, sealedCid } from './testHarness.js';

function setup() {
  const h = createMinerHarness();
  const { miner, result } = h.createMiner();
  expect(result.exitCode).toBe(ExitCode.OK);
  return { h, miner };
}

const DAY = 2880n;

/** Publishes a 2 KiB deal of `piece` with `miner` (client: `other`), escrow funded; returns its ID. */
function publishDeal(h: MinerHarness, miner: Address, piece: ReturnType<typeof pieceCid>): bigint {
  const client = h.other;
  const start = 2000n;
  const proposal: DealProposal = {
    pieceCid: piece,
    pieceSize: 2048n,
    verifiedDeal: false,
    client,
    provider: miner,
    label: 'deal',
    startEpoch: start,
    endEpoch: start + 200n * DAY,
    storagePricePerEpoch: 1000n,
    providerCollateral: 1n * FIL,
    clientCollateral: 0n,
  };
  expect(h.send(client, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.AddBalance, encodeWith(c.address, client), 10n * FIL).exitCode).toBe(ExitCode.OK);
  expect(h.send(h.owner, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.AddBalance, encodeWith(c.address, miner), 10n * FIL).exitCode).toBe(ExitCode.OK);
  const signed = { proposal, clientSignature: mockSignature(h.keys.other, encodeWith(DealProposal, proposal)) };
  const pub = h.send(h.worker, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.PublishStorageDeals, encodeWith(PublishStorageDealsParams, { deals: [signed] }));
  expect(pub.exitCode).toBe(ExitCode.OK);
  return ret(PublishStorageDealsReturn, pub).ids[0]!;
}

function minerEvents(r: ApplyResult, miner: Address) {
  return r.events.filter((e) => e.emitter === miner.id).map((e) => e.entries);
}

describe('PreCommitSectorBatch2', () => {
  it('takes a deposit per sector, stores the pre-commits, allocates the numbers, emits events and enrolls the deadline cron once', () => {
    const { h, miner } = setup();
    const deposit = h.preCommitDeposit(2048n);
    expect(deposit).toBeGreaterThan(0n);
    const before = h.state(miner);
    const r = h.precommit(miner, [h.precommitInfo(1n), h.precommitInfo(2n)]);
    expect(r.exitCode).toBe(ExitCode.OK);
    const st = h.state(miner);
    expect(st.preCommitDeposits).toBe(2n * deposit);
    expect(st.lockedFunds).toBe(before.lockedFunds);
    expect(state.getPrecommittedSector(h.machine.store, st, 1n)).toEqual({ info: h.precommitInfo(1n), preCommitDeposit: deposit, preCommitEpoch: 1000n });
    expect(state.loadAllocatedSectorNumbers(h.machine.store, st).toArray()).toEqual([1, 2]);
    expect(st.deadlineCronActive).toBe(true);
    expect(minerEvents(r, miner)).toEqual([sectorEventEntries('sector-precommitted', 1n), sectorEventEntries('sector-precommitted', 2n)]);
    const dlLast = state.deadlineInfo(h.policy, st, 1000n).last();
    expect(h.cronEvents(miner)).toEqual([dlLast]);
    expect(ret(c.bigint, h.send(h.other, miner, MinerMethod.GetAvailableBalanceExported))).toBe(h.balanceOf(miner) - st.lockedFunds - 2n * deposit);

    expect(h.precommit(miner, [h.precommitInfo(3n)], h.owner).exitCode).toBe(ExitCode.OK);
    expect(h.cronEvents(miner)).toEqual([dlLast]);
  });

  it('checks every sector before touching state, with the exit codes of builtin-actors', () => {
    const { h, miner } = setup();
    const e = h.epoch;
    const code = (sectors: ReturnType<MinerHarness['precommitInfo']>[], from?: Address) => h.precommit(miner, sectors, from).exitCode;
    const msd = 30n * DAY + h.policy.preCommitChallengeDelay;
    expect(code([])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n), h.precommitInfo(1n)])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { sealProof: RegisteredSealProof.StackedDRG32GiBV1P1 })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { sealedCid: pieceCid(1) })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { sealRandEpoch: e })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { sealRandEpoch: e - h.policy.maxPreCommitRandomnessLookback - 1n })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { unsealedCid: sealedCid(5) })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Lifetime counted from the latest possible activation must reach the minimum…
    expect(code([h.precommitInfo(1n, { expiration: e + msd + h.policy.minSectorExpiration - 1n })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(1n, { expiration: e + msd + h.policy.minSectorExpiration })])).toBe(ExitCode.OK);
    // …and not reach past the maximum extension from now.
    expect(code([h.precommitInfo(2n, { expiration: e + h.policy.maxSectorExpirationExtension + 1n })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(code([h.precommitInfo(2n)], h.other)).toBe(ExitCode.USR_FORBIDDEN);
    // A seal proof of another sector size than the miner's Window PoSt proof.
    expect(code([h.precommitInfo(2n, { sealProof: RegisteredSealProof.StackedDRG8MiBV1P1 })])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Sector numbers are never reused.
    expect(code([h.precommitInfo(1n)])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.state(miner).preCommitDeposits).toBe(h.preCommitDeposit(2048n));
  });

  it('refuses without enough available balance (19), with unpayable fee debt (19), and during a consensus fault (18)', () => {
    const h = createMinerHarness();
    const { miner: poor } = h.createMiner({ value: createMinerDeposit(h.policy, h.pledgeInputs()) });
    expect(h.precommit(poor, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);

    const { miner: indebted } = h.createMiner();
    h.implicit(REWARD_ACTOR_ADDR, indebted, MinerMethod.ApplyRewards, encodeWith(ApplyRewardParams, { reward: 0n, penalty: h.balanceOf(indebted) + 1n }));
    expect(h.state(indebted).feeDebt).toBe(1n);
    expect(h.precommit(indebted, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    // Once funded, the debt is repaid (burnt) by the pre-commit itself.
    h.send(h.owner, indebted, 0, null, 100n * FIL);
    expect(h.precommit(indebted, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.OK);
    expect(h.state(indebted).feeDebt).toBe(0n);

    const { miner } = h.createMiner();
    h.setEpoch(1100n);
    const header = (parent: number) => encodeWith(SimBlockHeader, { miner, epoch: 1050n, parents: [pieceCid(parent)] });
    const fault = encodeWith(ReportConsensusFaultParams, { header1: header(1), header2: header(2), headerExtra: new Uint8Array() });
    expect(h.send(h.other, miner, MinerMethod.ReportConsensusFault, fault).exitCode).toBe(ExitCode.OK);
    expect(h.precommit(miner, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    h.setEpoch(1100n + 901n);
    expect(h.precommit(miner, [h.precommitInfo(1n)]).exitCode).toBe(ExitCode.OK);
  });
});

describe('ProveCommitSectors3', () => {
  it('turns proven pre-commits into sectors with their pledge; power waits for the first Window PoSt', () => {
    const { h, miner } = setup();
    h.precommit(miner, [h.precommitInfo(1n), h.precommitInfo(2n)]);
    const expiration = h.precommitInfo(1n).expiration;
    h.setEpoch(1000n + h.policy.preCommitChallengeDelay + 1n);
    const pledge = h.initialPledge(2048n);
    const r = h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }]);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(ret(BatchReturn, r)).toEqual({ successCount: 2, failCodes: [] });

    const st = h.state(miner);
    const sector = state.getSector(h.machine.store, st, 1n)!;
    const expected: SectorOnChainInfo = {
      sectorNumber: 1n,
      sealProof: RegisteredSealProof.StackedDRG2KiBV1P1,
      sealedCid: sealedCid(1n),
      deprecatedDealIds: [],
      activation: 1011n,
      expiration,
      dealWeight: 0n,
      verifiedDealWeight: 0n,
      initialPledge: pledge,
      expectedDayReward: null,
      expectedStoragePledge: null,
      powerBaseEpoch: 1011n,
      replacedDayReward: null,
      sectorKeyCid: null,
      flags: 1,
      dailyFee: dailyProofFee(h.policy, HARNESS_CIRCULATING_SUPPLY, 2048n),
    };
    expect(sector).toEqual(expected);
    expect(st.preCommitDeposits).toBe(0n);
    expect(st.initialPledge).toBe(2n * pledge);
    expect(state.getPrecommittedSector(h.machine.store, st, 1n)).toBeUndefined();
    let live = 0n;
    state.loadDeadlines(h.machine.store, st).forEach(h.machine.store, (_, dl: Deadline) => (live += dl.liveSectors));
    expect(live).toBe(2n);
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 0n, qualityAdjPower: 0n });
    expect(h.power().totalPledgeCollateral).toBe(HARNESS_NETWORK_PLEDGE + 2n * pledge);
    expect(minerEvents(r, miner)).toEqual([sectorInfoEventEntries('sector-activated', 1n, null, []), sectorInfoEventEntries('sector-activated', 2n, null, [])]);
  });

  it('refuses callers other than owner/worker/control (18), proofs before the challenge (18), unknown pre-commits (17), malformed proofs (16)', () => {
    const { h, miner } = setup();
    h.precommit(miner, [h.precommitInfo(1n), h.precommitInfo(2n)]);
    h.setEpoch(1010n);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }]).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    h.setEpoch(1011n);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], {}, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.proveCommit(miner, [{ sectorNumber: 3n }]).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(h.proveCommit(miner, []).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], { aggregateProof: new Uint8Array(10) }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], { sectorProofs: [] }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], { aggregateProofType: 1 }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }], { sectorProofs: [new Uint8Array(192)] }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], { sectorProofs: [new Uint8Array(SEAL_PROOF_BYTES + 1)] }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.state(miner).initialPledge).toBe(0n);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }], {}, h.owner).exitCode).toBe(ExitCode.OK);
  });

  it('fails one sector with an invalid (short) proof unless activation success is required', () => {
    const { h, miner } = setup();
    h.precommit(miner, [h.precommitInfo(1n), h.precommitInfo(2n)]);
    h.setEpoch(1011n);
    const proofs = [new Uint8Array(SEAL_PROOF_BYTES), new Uint8Array(100)];
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }], { sectorProofs: proofs }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r = h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }], { sectorProofs: proofs, requireActivationSuccess: false });
    expect(ret(BatchReturn, r)).toEqual({ successCount: 1, failCodes: [{ idx: 1, code: 16 }] });
    const st = h.state(miner);
    expect(state.getSector(h.machine.store, st, 1n)).toBeDefined();
    expect(state.getSector(h.machine.store, st, 2n)).toBeUndefined();
    expect(state.getPrecommittedSector(h.machine.store, st, 2n)).toBeDefined();
  });

  it('refuses when every proof fails (16), a sector number out of range (16), and pre-commits holding deal IDs (16)', () => {
    const { h, miner } = setup();
    const piece = pieceCid(12);
    const dealId = publishDeal(h, miner, piece);
    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    // Pre-committed deals are checked by the market at pre-commit…
    expect(h.precommit(miner, [h.precommitInfo(1n, { dealIds: [dealId], unsealedCid: commd }), h.precommitInfo(2n), h.precommitInfo(4n)]).exitCode).toBe(ExitCode.OK);
    expect(h.precommit(miner, [h.precommitInfo(3n, { dealIds: [dealId], unsealedCid: null })]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    h.setEpoch(1011n);
    // …but the new prove-commit entry point does not accept them.
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(ret(BatchReturn, h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }], { requireActivationSuccess: false }))).toEqual({
      successCount: 1,
      failCodes: [{ idx: 0, code: 16 }],
    });
    // Every proof invalid: nothing to activate.
    expect(h.proveCommit(miner, [{ sectorNumber: 4n }], { sectorProofs: [new Uint8Array(10)], requireActivationSuccess: false }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(state.getPrecommittedSector(h.machine.store, h.state(miner), 4n)).toBeDefined();
    expect(h.proveCommit(miner, [{ sectorNumber: 1n << 63n }]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('skips pre-commits older than the maximum prove-commit duration', () => {
    const { h, miner } = setup();
    h.precommit(miner, [h.precommitInfo(1n)]);
    const late = 1000n + 30n * DAY + h.policy.preCommitChallengeDelay + 1n;
    h.setEpoch(late - 20n);
    h.precommit(miner, [h.precommitInfo(2n)]);
    h.setEpoch(late);
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r = h.proveCommit(miner, [{ sectorNumber: 1n }, { sectorNumber: 2n }], { requireActivationSuccess: false });
    expect(ret(BatchReturn, r)).toEqual({ successCount: 1, failCodes: [{ idx: 0, code: 16 }] });
  });

  it('accepts one SnarkPackV2 aggregate for 4 to 819 sectors', () => {
    const { h, miner } = setup();
    const ns = [1n, 2n, 3n, 4n];
    h.precommit(miner, ns.map((n) => h.precommitInfo(n)));
    h.setEpoch(1011n);
    const agg = (k: bigint[], over: object) => h.proveCommit(miner, k.map((sectorNumber) => ({ sectorNumber })), { sectorProofs: [], aggregateProof: new Uint8Array(2000), aggregateProofType: 1, ...over });
    expect(agg(ns, { aggregateProofType: 0 }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(agg(ns.slice(0, 3), {}).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(agg(ns, { aggregateProof: new Uint8Array(81_961) }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r = agg(ns, {});
    expect(ret(BatchReturn, r)).toEqual({ successCount: 4, failCodes: [] });
    expect(h.state(miner).initialPledge).toBe(4n * h.initialPledge(2048n));
  });

  it('checks the pieces against the declared CommD, and refuses unclaimable verified allocations', () => {
    const { h, miner } = setup();
    const piece = pieceCid(7);
    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    h.precommit(miner, [h.precommitInfo(1n, { unsealedCid: commd }), h.precommitInfo(2n, { unsealedCid: commd }), h.precommitInfo(3n)]);
    h.setEpoch(1011n);
    // CommD mismatch aborts the whole call.
    expect(h.proveCommit(miner, [{ sectorNumber: 1n }]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const verified = { cid: piece, size: 2048n, verifiedAllocationKey: { client: h.other.id, id: 42n }, notify: [] };
    // No such allocation: verifreg refuses the all-or-nothing claim (16)…
    expect(h.proveCommit(miner, [{ sectorNumber: 1n, pieces: [verified] }]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // …or fails that sector alone (17) when partial success is allowed.
    const r = h.proveCommit(miner, [{ sectorNumber: 1n, pieces: [verified] }, { sectorNumber: 3n }], { requireActivationSuccess: false });
    expect(ret(BatchReturn, r)).toEqual({ successCount: 1, failCodes: [{ idx: 0, code: 17 }] });
  });

  it('activates a market deal named in a piece manifest through SectorContentChanged', () => {
    const { h, miner } = setup();
    const piece = pieceCid(9);
    const dealId = publishDeal(h, miner, piece);

    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    expect(h.precommit(miner, [h.precommitInfo(1n, { unsealedCid: commd })]).exitCode).toBe(ExitCode.OK);
    h.setEpoch(1011n);
    const pieces = [{ cid: piece, size: 2048n, verifiedAllocationKey: null, notify: [{ address: STORAGE_MARKET_ACTOR_ADDR, payload: encodeWith(c.u64, dealId) }] }];
    const r = h.proveCommit(miner, [{ sectorNumber: 1n, pieces }]);
    expect(r.exitCode).toBe(ExitCode.OK);
    const market = MarketState.fromCbor(getCbor(h.machine.store, h.machine.getActor(STORAGE_MARKET_ACTOR_ADDR)!.head));
    expect(findDealState(h.machine.store, market, dealId)?.sectorStartEpoch).toBe(1011n);
    const sector = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(sector.dealWeight).toBe(2048n * (sector.expiration - 1011n));
    expect(sector.verifiedDealWeight).toBe(0n);
    expect(minerEvents(r, miner)).toEqual([sectorInfoEventEntries('sector-activated', 1n, commd, [{ cid: piece, size: 2048n }])]);

    // A deal notified twice is rejected by the market: 1004 when notification success is required.
    h.precommit(miner, [h.precommitInfo(2n, { unsealedCid: commd })]);
    h.setEpoch(1030n);
    expect(h.proveCommit(miner, [{ sectorNumber: 2n, pieces }]).exitCode).toBe(1004);
    expect(h.proveCommit(miner, [{ sectorNumber: 2n, pieces }], { requireNotificationSuccess: false }).exitCode).toBe(ExitCode.OK);
  });
});

describe('data consumer notifications', () => {
  it('abort with 1001 (send failed), 1002 (receiver aborted), 1003 (bad response) when success is required, and are ignored otherwise', () => {
    const { h, miner } = setup();
    const piece = pieceCid(4);
    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    h.precommit(miner, [h.precommitInfo(1n, { unsealedCid: commd })]);
    h.setEpoch(1011n);
    const notifying = (address: Address) => [{ sectorNumber: 1n, pieces: [{ cid: piece, size: 2048n, verifiedAllocationKey: null, notify: [{ address, payload: new Uint8Array([1]) }] }] }];
    expect(h.proveCommit(miner, notifying(Address.newId(9999n))).exitCode).toBe(1001);
    expect(h.proveCommit(miner, notifying(REWARD_ACTOR_ADDR)).exitCode).toBe(1002);
    expect(h.proveCommit(miner, notifying(h.other)).exitCode).toBe(1003); // an account answers with no data
    expect(h.proveCommit(miner, notifying(REWARD_ACTOR_ADDR), { requireNotificationSuccess: false }).exitCode).toBe(ExitCode.OK);
  });
});

describe('InternalSectorSetupForPreseal', () => {
  it('activates pre-committed genesis sectors for the system actor only, at the network conditions given (18 for others)', () => {
    const { h, miner } = setup();
    h.precommit(miner, [h.precommitInfo(1n)]);
    const rew = h.reward();
    const pwr = h.power();
    const params = encodeWith(InternalSectorSetupForPresealParams, {
      sectors: [1n, 7n], // 7 was never pre-committed: skipped
      rewardSmoothed: rew.thisEpochRewardSmoothed,
      rewardBaselinePower: rew.thisEpochBaselinePower,
      qualityAdjPowerSmoothed: pwr.qualityAdjPowerSmoothed,
    });
    expect(h.send(h.owner, miner, MinerMethod.InternalSectorSetupForPreseal, params).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const r = h.implicit(SYSTEM_ACTOR_ADDR, miner, MinerMethod.InternalSectorSetupForPreseal, params);
    expect(r.exitCode).toBe(ExitCode.OK);
    const pledge = initialPledgeForPower(2048n, rew.thisEpochBaselinePower, rew.thisEpochRewardSmoothed, pwr.qualityAdjPowerSmoothed, HARNESS_CIRCULATING_SUPPLY, 0n, 0n);
    const st = h.state(miner);
    expect(state.getSector(h.machine.store, st, 1n)?.initialPledge).toBe(pledge);
    expect(st.initialPledge).toBe(pledge);
    expect(st.preCommitDeposits).toBe(0n);
    expect(minerEvents(r, miner)).toEqual([sectorInfoEventEntries('sector-activated', 1n, null, [])]);
  });
});

describe('ProveCommitSectorsNI', () => {
  const niParams = (h: MinerHarness, miner: Address, numbers: bigint[], over: Partial<ProveCommitSectorsNIParams> = {}): ProveCommitSectorsNIParams => ({
    sectors: numbers.map((n) => ({ sealingNumber: n, sealerId: miner.id, sealedCid: sealedCid(n), sectorNumber: n, sealRandEpoch: h.epoch - 1n, expiration: h.epoch + 200n * DAY })),
    aggregateProof: new Uint8Array(1000),
    sealProofType: RegisteredSealProof.StackedDRG2KiBV1P2_Feat_NiPoRep,
    aggregateProofType: 1,
    provingDeadline: 0n,
    requireActivationSuccess: true,
    ...over,
  });

  it('onboards CC sectors straight into a mutable deadline, and checks its parameters', () => {
    const { h, miner } = setup();
    const st0 = h.state(miner);
    const current = state.deadlineInfo(h.policy, st0, h.epoch).index;
    const far = (current + 10n) % 48n;
    const send = (p: ProveCommitSectorsNIParams, from = h.worker) => h.send(from, miner, MinerMethod.ProveCommitSectorsNI, encodeWith(ProveCommitSectorsNIParams, p));
    expect(send(niParams(h, miner, [1n], { provingDeadline: current })).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(send(niParams(h, miner, [1n], { provingDeadline: 48n })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send(niParams(h, miner, [1n], { provingDeadline: far, sealProofType: RegisteredSealProof.StackedDRG2KiBV1P1 })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send(niParams(h, miner, [1n], { provingDeadline: far, aggregateProofType: 0 })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send(niParams(h, miner, [1n], { provingDeadline: far }), h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const bad = niParams(h, miner, [1n, 2n], { provingDeadline: far });
    bad.sectors[1] = { ...bad.sectors[1]!, sealerId: 1n };
    expect(send(bad).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r = send({ ...bad, requireActivationSuccess: false });
    expect(ret(BatchReturn, r)).toEqual({ successCount: 1, failCodes: [{ idx: 1, code: 16 }] });
    const st = h.state(miner);
    const dl = state.loadDeadlines(h.machine.store, st).loadDeadline(h.machine.store, far);
    expect(dl.liveSectors).toBe(1n);
    expect(st.initialPledge).toBe(h.initialPledge(2048n));
    expect(state.getSector(h.machine.store, st, 1n)?.activation).toBe(1000n);
    expect(st.deadlineCronActive).toBe(true);
    expect(h.cronEvents(miner)).toEqual([state.deadlineInfo(h.policy, st, 1000n).last()]);
    // Numbers are allocated: NI-PoRep cannot reuse them.
    expect(send(niParams(h, miner, [1n], { provingDeadline: far })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });
});

describe('ProveReplicaUpdates3', () => {
  it('refuses aggregates, missing proofs and unknown sectors', () => {
    const { h, miner } = setup();
    const send = (p: Partial<ProveReplicaUpdates3Params>, from = h.worker) =>
      h.send(
        from,
        miner,
        MinerMethod.ProveReplicaUpdates3,
        encodeWith(ProveReplicaUpdates3Params, {
          sectorUpdates: [{ sector: 1n, deadline: 0n, partition: 0n, newSealedCid: sealedCid(100), pieces: [] }],
          sectorProofs: [new Uint8Array(100)],
          aggregateProof: new Uint8Array(0),
          updateProofsType: 0,
          aggregateProofType: null,
          requireActivationSuccess: true,
          requireNotificationSuccess: true,
          ...p,
        }),
      ).exitCode;
    expect(send({}, h.other)).toBe(ExitCode.USR_FORBIDDEN);
    expect(send({ sectorProofs: [], aggregateProof: new Uint8Array(0) })).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send({ aggregateProof: new Uint8Array(5) })).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send({ aggregateProofType: 1 })).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(send({ sectorProofs: [], aggregateProof: new Uint8Array(5), aggregateProofType: 1 })).toBe(ExitCode.USR_NOT_FOUND);
    expect(send({})).toBe(ExitCode.USR_NOT_FOUND);
  });
});

/**
 * TerminateSectors, ExtendSectorExpiration2, CompactPartitions and CompactSectorNumbers on the miner
 * harness (builtin-actors v18 terminate_sectors_test.rs, extend_sector_expiration_test.rs,
 * compact_partitions_test.rs, compact_sector_numbers_tests.rs). Every scenario ends with the
 * invariant checker.
 */
import { Address, BitField, ExitCode, codec as c, encodeWith, getCbor, mockSignature } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { VERIFREG_ROOT_ID } from '../../devnet/genesis.js';
import { BURNT_FUNDS_ACTOR_ADDR, DATACAP_TOKEN_ACTOR_ADDR, STORAGE_MARKET_ACTOR_ADDR, VERIFIED_REGISTRY_ACTOR_ADDR } from '../../shared/singletons.js';
import { DatacapMethod, TOKEN_PRECISION, TransferParams } from '../datacap/types.js';
import { getClaim } from '../verifreg/state.js';
import { AllocationRequests, VerifierParams, VerifregMethod, VerifregState } from '../verifreg/types.js';
import { computeUnsealedSectorCid, pieceCommitmentOf } from '../market/commd.js';
import { checkMarketStateInvariants } from '../market/invariants.js';
import { findDealState } from '../market/state.js';
import { DealProposal, MarketMethod, MarketState, PublishStorageDealsParams, PublishStorageDealsReturn } from '../market/types.js';
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
import { FIL, createMinerHarness, pieceCid, ret } from './testHarness.js';
import type { MinerHarness } from './testHarness.js';
import {
  CompactPartitionsParams,
  CompactSectorNumbersParams,
  DeclareFaultsParams,
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

describe('TerminateSectors with deals', () => {
  it('tells the market, which slashes the deal: the provider collateral is burnt with the termination fee', () => {
    const h = createMinerHarness();
    const { miner } = h.createMiner();
    const client = h.other;
    const piece = pieceCid(9);
    const proposal: DealProposal = {
      pieceCid: piece,
      pieceSize: 2048n,
      verifiedDeal: false,
      client,
      provider: miner,
      label: 'deal',
      startEpoch: 2000n,
      endEpoch: 2000n + 200n * 2880n,
      storagePricePerEpoch: 1000n,
      providerCollateral: FIL,
      clientCollateral: 0n,
    };
    expect(h.send(client, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.AddBalance, encodeWith(c.address, client), 10n * FIL).exitCode).toBe(ExitCode.OK);
    expect(h.send(h.owner, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.AddBalance, encodeWith(c.address, miner), 10n * FIL).exitCode).toBe(ExitCode.OK);
    const signed = { proposal, clientSignature: mockSignature(h.keys.other, encodeWith(DealProposal, proposal)) };
    const pub = h.send(h.worker, STORAGE_MARKET_ACTOR_ADDR, MarketMethod.PublishStorageDeals, encodeWith(PublishStorageDealsParams, { deals: [signed] }));
    const dealId = ret(PublishStorageDealsReturn, pub).ids[0]!;
    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    expect(h.precommit(miner, [h.precommitInfo(1n, { unsealedCid: commd })]).exitCode).toBe(ExitCode.OK);
    h.setEpoch(h.epoch + h.policy.preCommitChallengeDelay + 1n);
    const pieces = [{ cid: piece, size: 2048n, verifiedAllocationKey: null, notify: [{ address: STORAGE_MARKET_ACTOR_ADDR, payload: encodeWith(c.u64, dealId) }] }];
    expect(h.proveCommit(miner, [{ sectorNumber: 1n, pieces }]).exitCode).toBe(ExitCode.OK);
    const market = () => MarketState.fromCbor(getCbor(h.machine.store, h.machine.getActor(STORAGE_MARKET_ACTOR_ADDR)!.head));
    expect(findDealState(h.machine.store, market(), dealId)?.sectorStartEpoch).toBe(h.epoch);

    const sector = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(sector.dealWeight).toBeGreaterThan(0n);
    const reward = h.reward().thisEpochRewardSmoothed;
    const power = h.power().qualityAdjPowerSmoothed;
    const ff = pledgePenaltyForContinuedFault(reward, power, qaPowerForSector(2048n, sector));
    const fee = pledgePenaltyForTermination(sector.initialPledge, h.epoch - sector.activation, ff);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    const { deadline } = locate(h, miner, 1n);
    const r = terminate(h, miner, deadline, [1]);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR) - burnt).toBe(fee + FIL);
    expect(findDealState(h.machine.store, market(), dealId)).toBeUndefined();
    expect(checkMarketStateInvariants(market(), h.machine.store, h.balanceOf(STORAGE_MARKET_ACTOR_ADDR), h.epoch).messages).toEqual([]);
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

describe('ExtendSectorExpiration2 with verified claims', () => {
  /** A miner with sector 1 holding one verified piece, claimed from a real DataCap allocation (term max 300 days). */
  function verifiedSector() {
    const h = createMinerHarness();
    const { miner } = h.createMiner();
    const client = h.other;
    const verifreg = VERIFIED_REGISTRY_ACTOR_ADDR;
    const root = Address.newId(VERIFREG_ROOT_ID);
    expect(h.send(root, verifreg, VerifregMethod.AddVerifier, encodeWith(VerifierParams, { address: h.control, allowance: 1n << 30n })).exitCode).toBe(ExitCode.OK);
    expect(h.send(h.control, verifreg, VerifregMethod.AddVerifiedClientExported, encodeWith(VerifierParams, { address: client, allowance: 1n << 20n })).exitCode).toBe(ExitCode.OK);
    const piece = pieceCid(11);
    const termMax = 300n * 2880n;
    const requests = { allocations: [{ provider: miner.id, data: piece, size: 2048n, termMin: 180n * 2880n, termMax, expiration: h.epoch + 30n * 2880n }], extensions: [] };
    const transfer = encodeWith(TransferParams, { to: verifreg, amount: 2048n * TOKEN_PRECISION, operatorData: encodeWith(AllocationRequests, requests) });
    expect(h.send(client, DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.TransferExported, transfer).exitCode).toBe(ExitCode.OK);
    const vst = () => VerifregState.fromCbor(getCbor(h.machine.store, h.machine.getActor(verifreg)!.head));
    const allocId = vst().nextAllocationId - 1n;

    const commd = computeUnsealedSectorCid(2048n, [{ commitment: pieceCommitmentOf(piece), size: 2048n }]);
    expect(h.precommit(miner, [h.precommitInfo(1n, { unsealedCid: commd })]).exitCode).toBe(ExitCode.OK);
    h.setEpoch(h.epoch + h.policy.preCommitChallengeDelay + 1n);
    const pieces = [{ cid: piece, size: 2048n, verifiedAllocationKey: { client: client.id, id: allocId }, notify: [] }];
    expect(h.proveCommit(miner, [{ sectorNumber: 1n, pieces }]).exitCode).toBe(ExitCode.OK);
    const claim = getClaim(h.machine.store, vst(), miner.id, allocId)!;
    expect(claim.sector).toBe(1n);
    const sector = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(sector.verifiedDealWeight).toBe(2048n * (sector.expiration - sector.activation));
    // Proven once: only active sectors can be extended.
    const deadline = locate(h, miner, 1n).deadline;
    const info = advanceToDeadline(h, miner, deadline);
    expect(submitPoSt(h, miner, postParams(h, info, [{ index: 0n, skipped: NO_SKIP }])).exitCode).toBe(ExitCode.OK);
    advanceDeadline(h, miner);
    // Verified data: ten times the raw power.
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 2048n, qualityAdjPower: 20480n });
    return { h, miner, sector, claimId: allocId, termEnd: claim.termStart + claim.termMax, deadline };
  }

  const ext = (h: MinerHarness, miner: Address, deadline: bigint, newExpiration: bigint, sectorsWithClaims: { sectorNumber: bigint; maintainClaims: bigint[]; dropClaims: bigint[] }[], sectors: number[] = []) =>
    h.send(
      h.worker,
      miner,
      MinerMethod.ExtendSectorExpiration2,
      encodeWith(ExtendSectorExpiration2Params, { extensions: [{ deadline, partition: 0n, sectors: BitField.fromIterable(sectors), sectorsWithClaims, newExpiration }] }),
    );

  it('keeps the verified space over the new duration when every claim is kept and allows the new expiration', () => {
    const { h, miner, sector, claimId, termEnd, deadline } = verifiedSector();
    const newExpiration = sector.expiration + 30n * 2880n;
    expect(newExpiration).toBeLessThanOrEqual(termEnd);
    const epoch = h.epoch;
    const r = ext(h, miner, deadline, newExpiration, [{ sectorNumber: 1n, maintainClaims: [claimId], dropClaims: [] }]);
    expect(r.exitCode).toBe(ExitCode.OK);
    const after = state.getSector(h.machine.store, h.state(miner), 1n)!;
    expect(after.expiration).toBe(newExpiration);
    expect(after.powerBaseEpoch).toBe(epoch);
    expect(after.verifiedDealWeight).toBe(2048n * (newExpiration - epoch));
    // Same verified space: same QA power, same daily fee.
    expect(qaPowerForSector(2048n, after)).toBe(qaPowerForSector(2048n, sector));
    expect(after.dailyFee).toBe(sector.dailyFee);
    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 2048n, qualityAdjPower: 20480n });
    expect(invariantMessages(h, miner)).toEqual([]);
  });

  it('refuses missing claims (16), claims past their term (18), claims of another sector (16), unknown claims and early drops (18)', () => {
    const { h, miner, sector, claimId, termEnd, deadline } = verifiedSector();
    const plain = ext(h, miner, deadline, sector.expiration + 2880n, [], [1]);
    expect(plain.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(plain.failureInfo).toContain('claim missing from declaration for sector 1');
    const pastTerm = ext(h, miner, deadline, termEnd + 1n, [{ sectorNumber: 1n, maintainClaims: [claimId], dropClaims: [] }]);
    expect(pastTerm.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(pastTerm.failureInfo).toContain(`claim only allows extension to ${termEnd}`);
    const otherSector = ext(h, miner, deadline, sector.expiration + 2880n, [{ sectorNumber: 2n, maintainClaims: [claimId], dropClaims: [] }]);
    expect(otherSector.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(otherSector.failureInfo).toContain('expected claim sector number to be 2 but found 1');
    const unknown = ext(h, miner, deadline, sector.expiration + 2880n, [{ sectorNumber: 1n, maintainClaims: [claimId + 7n], dropClaims: [] }]);
    expect(unknown.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(unknown.failureInfo).toContain('failed to get claims for sector 1');
    // Dropping is allowed only in the last endOfLifeClaimDropPeriod (30 days) of the sector.
    const drop = ext(h, miner, deadline, sector.expiration + 2880n, [{ sectorNumber: 1n, maintainClaims: [], dropClaims: [claimId] }]);
    expect(drop.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(drop.failureInfo).toContain('attempt to drop claims');
    expect(state.getSector(h.machine.store, h.state(miner), 1n)).toEqual(sector);
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

describe('CompactPartitions with faults', () => {
  it('refuses to compact a partition holding faults (16)', () => {
    const { h, miner, dl } = activeMiner();
    const faults = encodeWith(DeclareFaultsParams, { faults: [{ deadline: dl, partition: 0n, sectors: BitField.fromIterable([1]) }] });
    expect(h.send(h.worker, miner, MinerMethod.DeclareFaults, faults).exitCode).toBe(ExitCode.OK);
    h.setEpoch(currentDeadline(h, miner).open + h.policy.wpostDisputeWindow);
    const r = h.send(h.worker, miner, MinerMethod.CompactPartitions, encodeWith(CompactPartitionsParams, { deadline: dl, partitions: BitField.fromIterable([0]) }));
    expect(r.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(r.failureInfo).toContain('has faults');
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

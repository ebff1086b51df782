/**
 * Deal activation: VerifyDealsForActivation, BatchActivateDeals (genesis) and SectorContentChanged (FIP-0076).
 *
 * - Source: builtin-actors `actors/market/src/lib.rs` (`verify_deals_for_activation`, `batch_activate_deals`, `sector_content_changed`, `preactivate_deal`).
 *
 * @module
 */
import { ActorError, Address, type Amt, type CID, type Hamt, type Runtime, codec as c, decodeWith } from 'fvm-sim';
import { BatchReturnGen } from '../../../shared/codecs.js';
import { computeUnsealedSectorCid, pieceCommitmentOf, sealProofSectorSize } from '../commd.js';
import { dealActivated } from '../emit.js';
import {
  findDealStateIn,
  getProposalIn,
  loadDealStates,
  loadPendingDealAllocationIds,
  loadPendingProposals,
  loadProposals,
  putDealStates,
  putSectorDealIds,
  takeAllocationId,
  withContext,
} from '../state.js';
import {
  ActivatedDeal,
  BatchActivateDealsParams,
  BatchActivateDealsResult,
  DealProposal,
  type DealState,
  EPOCH_UNDEFINED,
  EX_DEAL_EXPIRED,
  MarketState,
  NO_ALLOCATION_ID,
  SectorContentChangedParams,
  SectorContentChangedReturn,
  type SectorDealActivation,
  VerifyDealsForActivationParams,
  VerifyDealsForActivationReturn,
} from '../types.js';
import { MINER_TYPE, attempt, dealCid, idOf } from './common.js';

/**
 * Whether a deal may be activated now in a sector of `minerAddr` committed until
 * `sectorExpiration` (market `validate_deal_can_activate`).
 */
export function validateDealCanActivate(proposal: DealProposal, minerAddr: Address, sectorExpiration: bigint, curEpoch: bigint): void {
  if (!proposal.provider.equals(minerAddr)) {
    throw ActorError.forbidden(`proposal has provider ${proposal.provider.toString()}, must be ${minerAddr.toString()}`);
  }
  if (curEpoch > proposal.startEpoch) {
    // The same code as if the proposal had already been cleaned up.
    throw new ActorError(EX_DEAL_EXPIRED, `proposal start epoch ${proposal.startEpoch} has already elapsed at ${curEpoch}`);
  }
  if (proposal.endEpoch > sectorExpiration) {
    throw ActorError.illegalArgument(`proposal expiration ${proposal.endEpoch} exceeds sector expiration ${sectorExpiration}`);
  }
}

/** Checks every deal of a sector can activate and that they fit (market `validate_deals_for_sector`). */
export function validateDealsForSector(proposals: readonly (readonly [bigint, DealProposal])[], minerAddr: Address, sectorExpiry: bigint, activation: bigint, sectorSize: bigint | undefined): void {
  let space = 0n;
  for (const [id, p] of proposals) {
    withContext(`cannot activate deal ${id}`, () => validateDealCanActivate(p, minerAddr, sectorExpiry, activation));
    space += p.pieceSize;
  }
  if (sectorSize !== undefined && space > sectorSize) throw ActorError.illegalArgument(`deals too large to fit in sector ${space} > ${sectorSize}`);
}

/** Proposals of the given IDs, refusing duplicates (market `get_proposals`). */
export function getProposals(proposals: Amt<unknown>, dealIds: readonly bigint[], nextId: bigint): [bigint, DealProposal][] {
  const seen = new Set<bigint>();
  const out: [bigint, DealProposal][] = [];
  for (const id of dealIds) {
    if (seen.has(id)) throw ActorError.illegalArgument(`duplicate deal ID ${id} in sector`);
    seen.add(id);
    out.push([id, getProposalIn(proposals, id, nextId)]);
  }
  return out;
}

/** The unsealed CID of a sector holding these deals' pieces (the `compute_unsealed_sector_cid` syscall). */
export function computeDataCommitment(proposals: readonly DealProposal[], sectorType: number): CID {
  const size = sealProofSectorSize(sectorType);
  if (size === undefined) throw ActorError.illegalArgument(`failed to compute unsealed sector CID: unknown seal proof ${sectorType}`);
  try {
    return computeUnsealedSectorCid(size, proposals.map((p) => ({ commitment: pieceCommitmentOf(p.pieceCid), size: p.pieceSize })));
  } catch (e) {
    throw ActorError.illegalArgument(`failed to compute unsealed sector CID: ${(e as Error).message}`);
  }
}

/**
 * Loads and checks a deal for activation (market `preactivate_deal`). A problem with this deal
 * only is returned as `err`; anything else (a broken state) throws and aborts the message.
 */
export function preactivateDeal(
  rt: Runtime,
  dealId: bigint,
  proposals: Amt<unknown>,
  states: Amt<unknown>,
  pending: Hamt<unknown>,
  provider: Address,
  sectorCommitment: bigint,
  curEpoch: bigint,
  nextId: bigint,
): { ok: DealProposal } | { err: ActorError } {
  let proposal: DealProposal;
  try {
    proposal = getProposalIn(proposals, dealId, nextId);
  } catch (e) {
    if (e instanceof ActorError && (e.exitCode === 17 || e.exitCode === EX_DEAL_EXPIRED)) return { err: e };
    throw e;
  }
  const can = attempt(() => withContext(`cannot activate deal ${dealId}`, () => validateDealCanActivate(proposal, provider, sectorCommitment, curEpoch)));
  if ('err' in can) return can;
  if (findDealStateIn(states, dealId) !== undefined) return { err: ActorError.illegalArgument(`deal ${dealId} already activated`) };
  // Having a proposal and no state but no pending CID would break an invariant.
  const cid = dealCid(rt, proposal);
  if (!pending.has(cid.bytes)) return { err: ActorError.illegalState(`deal ${cid.toString()} is not in pending set`) };
  return { ok: proposal };
}

/**
 * VerifyDealsForActivation (market `verify_deals_for_activation`, miners only): checks each
 * sector's deals could activate now and returns their unsealed CID (null for no deals). Any
 * failure aborts.
 */
export function verifyDealsForActivation(rt: Runtime, params: VerifyDealsForActivationParams): VerifyDealsForActivationReturn {
  rt.validateImmediateCallerType([MINER_TYPE]);
  const miner = rt.message.caller;
  const curEpoch = rt.curEpoch;
  const st = rt.state(MarketState);
  const proposals = loadProposals(rt.store, st);
  const unsealedCids: (CID | null)[] = [];
  for (const sector of params.sectors) {
    const sectorProposals = getProposals(proposals, sector.dealIds, st.nextId);
    const sectorSize = sealProofSectorSize(sector.sectorType);
    if (sectorSize === undefined) throw ActorError.illegalArgument(`sector size unknown: seal proof ${sector.sectorType}`);
    withContext('failed to validate deal proposals for activation', () => validateDealsForSector(sectorProposals, miner, sector.sectorExpiry, curEpoch, sectorSize));
    unsealedCids.push(sector.dealIds.length === 0 ? null : computeDataCommitment(sectorProposals.map(([, p]) => p), sector.sectorType));
  }
  return { unsealedCids };
}

/**
 * BatchActivateDeals (market `batch_activate_deals`, miners only; since v17 only the genesis
 * preseal path): activates each sector's deals all-or-nothing, independently of other sectors,
 * returning per-sector results, activated deals with their allocation IDs, and CommD on request.
 */
export function batchActivateDeals(rt: Runtime, params: BatchActivateDealsParams): BatchActivateDealsResult {
  rt.validateImmediateCallerType([MINER_TYPE]);
  const miner = rt.message.caller;
  const curEpoch = rt.curEpoch;
  return rt.transaction(MarketState, (st) => {
    const proposals = loadProposals(rt.store, st);
    const states = loadDealStates(rt.store, st);
    const pending = loadPendingProposals(rt.store, st);
    const pendingAllocs = loadPendingDealAllocationIds(rt.store, st);
    const dealStates: [bigint, DealState][] = [];
    const batch = new BatchReturnGen(params.sectors.length);
    const activations: SectorDealActivation[] = [];
    const activatedDeals = new Set<bigint>();
    const sectorsDeals: [bigint, bigint[]][] = [];

    sectorLoop: for (const sector of params.sectors) {
      const sorted = [...sector.dealIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (sorted.some((d, i) => i > 0 && sorted[i - 1] === d)) {
        batch.addFail(16); // duplicate deal in the sector
        continue;
      }
      // Validate every deal first; one failure fails the whole sector.
      const validated: DealProposal[] = [];
      for (const dealId of sector.dealIds) {
        if (activatedDeals.has(dealId)) {
          batch.addFail(16); // deal already activated by an earlier sector of this batch
          continue sectorLoop;
        }
        const r = preactivateDeal(rt, dealId, proposals, states, pending, miner, sector.sectorExpiry, curEpoch, st.nextId);
        if ('err' in r) {
          batch.addFail(r.err.exitCode);
          continue sectorLoop;
        }
        validated.push(r.ok);
      }
      const activated: ActivatedDeal[] = [];
      sector.dealIds.forEach((dealId, i) => {
        const p = validated[i]!;
        activatedDeals.add(dealId);
        const allocationId = takeAllocationId(pendingAllocs, dealId) ?? NO_ALLOCATION_ID;
        activated.push({ client: idOf(p.client), allocationId, data: p.pieceCid, size: p.pieceSize });
        dealStates.push([dealId, { sectorNumber: sector.sectorNumber, sectorStartEpoch: curEpoch, lastUpdatedEpoch: EPOCH_UNDEFINED, slashEpoch: EPOCH_UNDEFINED }]);
      });
      const unsealedCid = params.computeCid && sector.dealIds.length > 0 ? computeDataCommitment(validated, sector.sectorType) : null;
      sectorsDeals.push([sector.sectorNumber, [...sector.dealIds]]);
      activations.push({ activated, unsealedCid });
      sector.dealIds.forEach((dealId, i) => dealActivated(rt, dealId, idOf(validated[i]!.client), idOf(validated[i]!.provider)));
      batch.addSuccess();
    }
    putDealStates(rt.store, st, dealStates);
    putSectorDealIds(rt.store, st, idOf(miner), sectorsDeals);
    st.pendingDealAllocationIds = pendingAllocs.flush();
    return { activationResults: batch.gen(), activations };
  });
}

/**
 * SectorContentChanged (FRC-42 notification, FIP-0076; miners only): activates the deal named by
 * each piece's payload, judging every piece on its own, and returns the `accepted` flags.
 */
export function sectorContentChanged(rt: Runtime, params: SectorContentChangedParams): SectorContentChangedReturn {
  rt.validateImmediateCallerType([MINER_TYPE]);
  const miner = rt.message.caller;
  const curEpoch = rt.curEpoch;
  return rt.transaction(MarketState, (st) => {
    const proposals = loadProposals(rt.store, st);
    const states = loadDealStates(rt.store, st);
    const pending = loadPendingProposals(rt.store, st);
    const pendingAllocs = loadPendingDealAllocationIds(rt.store, st);
    const dealStates: [bigint, DealState][] = [];
    const activatedDeals = new Set<bigint>();
    const sectorsDeals: [bigint, bigint[]][] = [];
    const sectorsRet: boolean[][] = [];

    // Pieces are judged independently, even within one sector (FIP-0076).
    for (const sector of params) {
      const sectorDealIds: bigint[] = [];
      const piecesRet = sector.added.map((piece) => {
        let dealId: bigint;
        try {
          dealId = decodeWith(c.u64, piece.payload);
        } catch {
          return false; // payload is not a deal ID
        }
        if (activatedDeals.has(dealId)) return false; // duplicated in this call
        const r = preactivateDeal(rt, dealId, proposals, states, pending, miner, sector.minimumCommitmentEpoch, curEpoch, st.nextId);
        if ('err' in r) return false;
        const p = r.ok;
        if (!piece.data.equals(p.pieceCid)) return false;
        if (piece.size !== p.pieceSize) return false;
        activatedDeals.add(dealId);
        dealActivated(rt, dealId, idOf(p.client), idOf(p.provider));
        takeAllocationId(pendingAllocs, dealId);
        dealStates.push([dealId, { sectorNumber: sector.sector, sectorStartEpoch: curEpoch, lastUpdatedEpoch: EPOCH_UNDEFINED, slashEpoch: EPOCH_UNDEFINED }]);
        sectorDealIds.push(dealId);
        return true;
      });
      sectorsDeals.push([sector.sector, sectorDealIds]);
      sectorsRet.push(piecesRet);
    }
    putDealStates(rt.store, st, dealStates);
    putSectorDealIds(rt.store, st, idOf(miner), sectorsDeals);
    st.pendingDealAllocationIds = pendingAllocs.flush();
    return sectorsRet;
  });
}

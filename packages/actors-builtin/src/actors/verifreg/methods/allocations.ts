/**
 * Allocations and claims: RemoveExpiredAllocations (refunds DataCap), ClaimAllocations (miners;
 * burns the claimed DataCap), GetClaims, ExtendClaimTerms (by the claim's client, up to the
 * policy maximum) and RemoveExpiredClaims.
 *
 * - Source: builtin-actors `actors/verifreg/src/lib.rs` (`remove_expired_allocations`,
 *   `claim_allocations`, `can_claim_alloc`, `get_claims`, `extend_claim_terms`,
 *   `remove_expired_claims`), `expiration.rs`.
 *
 * @module
 */
import { ActorError, type Runtime } from 'fvm-sim';
import { BatchReturnGen } from '../../../shared/codecs.js';
import * as emit from '../emit.js';
import { datacapBurn, datacapTransfer, withContext } from '../ext.js';
import type { VerifregPolicy } from '../policy.js';
import {
  EX_FORBIDDEN,
  EX_ILLEGAL_ARGUMENT,
  EX_NOT_FOUND,
  allocationExpiration,
  batchOk,
  batchSuccesses,
  checkExpired,
  claimExpiration,
  findExpired,
  loadAllocs,
  loadClaims,
} from '../state.js';
import {
  type Allocation,
  type AllocationClaim,
  type Claim,
  type ClaimAllocationsParams,
  type ClaimAllocationsReturn,
  type ExtendClaimTermsParams,
  type GetClaimsParams,
  type GetClaimsReturn,
  type RemoveExpiredAllocationsParams,
  type RemoveExpiredAllocationsReturn,
  type RemoveExpiredClaimsParams,
  type RemoveExpiredClaimsReturn,
  VerifregState,
} from '../types.js';
import type { BatchReturn } from '../../../shared/codecs.js';

/** Built-in type name of storage miners. */
export const MINER_TYPE = 'storageminer';

/**
 * RemoveExpiredAllocations (8 / exported), by anyone: removes a client's allocations whose
 * expiration has been reached (the listed ones, or every expired one when none are listed) and
 * transfers their DataCap back to the client (always, even zero).
 */
export function removeExpiredAllocations(rt: Runtime, p: RemoveExpiredAllocationsParams): RemoveExpiredAllocationsReturn {
  rt.validateImmediateCallerAcceptAny();
  const epoch = rt.curEpoch;
  const { considered, results, recovered } = withContext('state transaction failed', () =>
    rt.transaction(VerifregState, (st) => {
      const allocs = loadAllocs(rt.store, st);
      let considered: bigint[];
      let results: BatchReturn;
      let toRemove: bigint[];
      if (p.allocationIds.length === 0) {
        considered = findExpired(allocs, p.client, epoch, allocationExpiration);
        results = batchOk(considered.length);
        toRemove = considered;
      } else {
        considered = [...p.allocationIds];
        results = checkExpired(allocs, p.allocationIds, p.client, epoch, allocationExpiration);
        toRemove = batchSuccesses(results, p.allocationIds);
      }
      let recovered = 0n;
      for (const id of toRemove) {
        const existing = allocs.remove(p.client, id);
        if (existing === undefined) throw ActorError.illegalState(`failed to remove allocation ${id}`);
        emit.allocationRemoved(rt, id, existing);
        recovered += existing.size;
      }
      st.allocations = allocs.flush();
      return { considered, results, recovered };
    }),
  );
  withContext(`failed to transfer recovered datacap ${recovered} back to client ${p.client}`, () => datacapTransfer(rt, p.client, recovered));
  return { considered, results, datacapRecovered: recovered };
}

/** Whether `provider` may claim `alloc` now in a sector expiring at `sectorExpiry` (`can_claim_alloc`). */
export function canClaimAlloc(claim: AllocationClaim, provider: bigint, alloc: Allocation, epoch: bigint, sectorExpiry: bigint): boolean {
  const lifetime = sectorExpiry - epoch;
  return (
    provider === alloc.provider &&
    claim.client === alloc.client &&
    claim.data.equals(alloc.data) &&
    claim.size === alloc.size &&
    epoch <= alloc.expiration &&
    lifetime >= alloc.termMin &&
    lifetime <= alloc.termMax
  );
}

/**
 * ClaimAllocations (9), by a miner: turns allocations into claims, sector by sector. A sector
 * fails as a whole (17 no such allocation, 18 not claimable) unless `all_or_nothing`, which
 * aborts with 16. The claimed DataCap is burnt from verifreg's balance.
 */
export function claimAllocations(rt: Runtime, p: ClaimAllocationsParams): ClaimAllocationsReturn {
  rt.validateImmediateCallerType([MINER_TYPE]);
  const provider = rt.message.caller.id;
  if (p.sectors.length === 0) throw ActorError.illegalArgument('claim allocations called with no claims');
  const gen = new BatchReturnGen(p.sectors.length);
  const sectorClaims: bigint[] = [];
  let totalClaimed = 0n;
  const epoch = rt.curEpoch;

  withContext('state transaction failed', () =>
    rt.transaction(VerifregState, (st) => {
      const claims = loadClaims(rt.store, st);
      const allocs = loadAllocs(rt.store, st);
      sectors: for (const sector of p.sectors) {
        const newClaims: [bigint, Claim][] = [];
        for (const claim of sector.claims) {
          const alloc = allocs.get(claim.client, claim.allocationId);
          if (alloc === undefined) {
            gen.addFail(EX_NOT_FOUND);
            continue sectors;
          }
          if (!canClaimAlloc(claim, provider, alloc, epoch, sector.expiry)) {
            gen.addFail(EX_FORBIDDEN);
            continue sectors;
          }
          newClaims.push([
            claim.allocationId,
            {
              provider,
              client: alloc.client,
              data: alloc.data,
              size: alloc.size,
              termMin: alloc.termMin,
              termMax: alloc.termMax,
              termStart: epoch,
              sector: sector.sector,
            },
          ]);
        }
        let claimed = 0n;
        for (const [id, c] of newClaims) {
          if (!claims.putIfAbsent(provider, id, c)) throw ActorError.illegalArgument(`claim ${id} already exists`);
          emit.claimCreated(rt, id, c);
          allocs.remove(c.client, id);
          claimed += c.size;
        }
        totalClaimed += claimed;
        sectorClaims.push(claimed);
        gen.addSuccess();
      }
      st.allocations = allocs.flush();
      st.claims = claims.flush();
    }),
  );

  const batch = gen.gen();
  if (p.allOrNothing && batch.failCodes.length > 0) {
    throw ActorError.illegalArgument(`claim failed with all-or-nothing: ${batch.successCount} succeeded, ${batch.failCodes.length} failed`);
  }
  datacapBurn(rt, totalClaimed);
  return { sectorResults: batch, sectorClaims };
}

/** GetClaims (10 / exported), by anyone: a provider's claims by ID (17 for each missing one). */
export function getClaims(rt: Runtime, p: GetClaimsParams): GetClaimsReturn {
  rt.validateImmediateCallerAcceptAny();
  const gen = new BatchReturnGen(p.claimIds.length);
  const st = rt.state(VerifregState);
  const map = loadClaims(rt.store, st);
  const claims: Claim[] = [];
  for (const id of p.claimIds) {
    const cl = map.get(p.provider, id);
    if (cl === undefined) gen.addFail(EX_NOT_FOUND);
    else {
      gen.addSuccess();
      claims.push(cl);
    }
  }
  return { batchInfo: gen.gen(), claims };
}

/**
 * ExtendClaimTerms (11 / exported), by each claim's client: raises `term_max`, never above the
 * policy maximum term (16), never below the current one (16); 18 for another caller, 17 for no
 * such claim. Works on expired claims too.
 */
export function extendClaimTerms(rt: Runtime, policy: VerifregPolicy, p: ExtendClaimTermsParams): BatchReturn {
  rt.validateImmediateCallerAcceptAny();
  const caller = rt.message.caller.id;
  const limit = policy.maximumVerifiedAllocationTerm;
  const gen = new BatchReturnGen(p.terms.length);
  withContext('state transaction failed', () =>
    rt.transaction(VerifregState, (st) => {
      const claims = loadClaims(rt.store, st);
      for (const term of p.terms) {
        if (term.termMax > limit) {
          gen.addFail(EX_ILLEGAL_ARGUMENT);
          continue;
        }
        const claim = claims.get(term.provider, term.claimId);
        if (claim === undefined) {
          gen.addFail(EX_NOT_FOUND);
          continue;
        }
        if (claim.client !== caller) {
          gen.addFail(EX_FORBIDDEN);
          continue;
        }
        if (term.termMax < claim.termMax) {
          gen.addFail(EX_ILLEGAL_ARGUMENT);
          continue;
        }
        const updated = { ...claim, termMax: term.termMax };
        claims.put(term.provider, term.claimId, updated);
        gen.addSuccess();
        emit.claimUpdated(rt, term.claimId, updated);
      }
      st.claims = claims.flush();
    }),
  );
  return gen.gen();
}

/**
 * RemoveExpiredClaims (12 / exported), by anyone: removes a provider's claims whose
 * `term_start + term_max` has been reached (the listed ones, or every expired one).
 */
export function removeExpiredClaims(rt: Runtime, p: RemoveExpiredClaimsParams): RemoveExpiredClaimsReturn {
  rt.validateImmediateCallerAcceptAny();
  const epoch = rt.curEpoch;
  return withContext('state transaction failed', () =>
    rt.transaction(VerifregState, (st) => {
      const claims = loadClaims(rt.store, st);
      let considered: bigint[];
      let results: BatchReturn;
      let toRemove: bigint[];
      if (p.claimIds.length === 0) {
        considered = findExpired(claims, p.provider, epoch, claimExpiration);
        results = batchOk(considered.length);
        toRemove = considered;
      } else {
        considered = [...p.claimIds];
        results = checkExpired(claims, p.claimIds, p.provider, epoch, claimExpiration);
        toRemove = batchSuccesses(results, p.claimIds);
      }
      for (const id of toRemove) {
        const removed = claims.remove(p.provider, id);
        if (removed === undefined) throw ActorError.illegalState(`failed to remove claim ${id}`);
        emit.claimRemoved(rt, id, removed);
      }
      st.claims = claims.flush();
      return { considered, results };
    }),
  );
}

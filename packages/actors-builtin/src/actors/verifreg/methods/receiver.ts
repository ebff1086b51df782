/**
 * UniversalReceiverHook (`Receive`): DataCap arriving at verifreg with allocation requests and
 * claim extension requests in the operator data. Every request must be valid (no partial
 * success) and the tokens must pay exactly for them: Σ allocation sizes + Σ extended claim sizes
 * = whole tokens received. Extension DataCap is burnt at once; allocation DataCap stays with
 * verifreg until claimed (burnt) or expired (refunded).
 *
 * - Source: builtin-actors `actors/verifreg/src/lib.rs` (`universal_receiver_hook`,
 *   `validate_tokens_received`, `validate_new_allocation`, `validate_claim_extension`,
 *   `check_miner_id`).
 *
 * @module
 */
import { ActorError, type Codec, type Runtime, decodeWith } from 'fvm-sim';
import { DATACAP_TOKEN_ACTOR_ADDR } from '../../../shared/singletons.js';
import { FRC46_TOKEN_TYPE, FRC46TokenReceived, type UniversalReceiverParams } from '../../datacap/types.js';
import * as emit from '../emit.js';
import { datacapBurn, tokensToDatacap } from '../ext.js';
import type { VerifregPolicy } from '../policy.js';
import { batchOk, insertAllocations, loadClaims, putClaims } from '../state.js';
import {
  type Allocation,
  type AllocationRequest,
  AllocationRequests,
  type AllocationsResponse,
  type Claim,
  type ClaimExtensionRequest,
  VerifregState,
} from '../types.js';
import { MINER_TYPE } from './allocations.js';

/** Decodes CBOR with `codec`, mapping failures to USR_SERIALIZATION (`cbor::deserialize`). */
function deserialize<T>(codec: Codec<T>, data: Uint8Array, what: string): T {
  try {
    return decodeWith(codec, data);
  } catch (e) {
    throw ActorError.serialization(`failed to deserialize ${what}: ${(e as Error).message}`);
  }
}

/**
 * Checks an allocation request against the policy at `epoch` (`validate_new_allocation`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT naming the first bound violated.
 */
export function validateNewAllocation(req: AllocationRequest, policy: VerifregPolicy, epoch: bigint): void {
  if (req.size < policy.minimumVerifiedAllocationSize) {
    throw ActorError.illegalArgument(`allocation size ${req.size} below minimum ${policy.minimumVerifiedAllocationSize}`);
  }
  if (req.termMin < policy.minimumVerifiedAllocationTerm) {
    throw ActorError.illegalArgument(`allocation term min ${req.termMin} below limit ${policy.minimumVerifiedAllocationTerm}`);
  }
  if (req.termMax > policy.maximumVerifiedAllocationTerm) {
    throw ActorError.illegalArgument(`allocation term max ${req.termMax} above limit ${policy.maximumVerifiedAllocationTerm}`);
  }
  if (req.termMin > req.termMax) throw ActorError.illegalArgument(`allocation term min ${req.termMin} exceeds term max ${req.termMax}`);
  if (req.expiration < epoch) {
    throw ActorError.illegalArgument(`allocation expiration epoch ${req.expiration} has passed current epoch ${epoch}`);
  }
  const maxExpiration = epoch + policy.maximumVerifiedAllocationExpiration;
  if (req.expiration > maxExpiration) throw ActorError.illegalArgument(`allocation expiration ${req.expiration} exceeds maximum ${maxExpiration}`);
}

/**
 * Checks a claim extension bought with new DataCap (`validate_claim_extension`): the new term
 * may reach at most `epoch + maximum term` from the claim's start, must exceed the old term, and
 * the claim must not have expired.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT for a bad term, USR_FORBIDDEN for an expired claim.
 */
export function validateClaimExtension(req: ClaimExtensionRequest, claim: Claim, policy: VerifregPolicy, epoch: bigint): void {
  const limit = epoch + policy.maximumVerifiedAllocationTerm - claim.termStart;
  if (req.termMax > limit) {
    throw ActorError.illegalArgument(`term_max ${req.termMax} for claim ${req.claim} exceeds maximum ${limit} at current epoch ${epoch}`);
  }
  if (req.termMax <= claim.termMax) {
    throw ActorError.illegalArgument(`term_max ${req.termMax} for claim ${req.claim} is not larger than existing term max ${claim.termMax}`);
  }
  const expiration = claim.termStart + claim.termMax;
  if (epoch > expiration) throw ActorError.forbidden(`claim ${req.claim} expired at ${expiration}, current epoch ${epoch}`);
}

/**
 * Checks that `id` is a storage miner (`check_miner_id`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT otherwise.
 */
function checkMinerId(rt: Runtime, id: bigint): void {
  const code = rt.getActorCodeCid(id);
  if (code === undefined) throw ActorError.illegalArgument(`no code CID for provider ${id}`);
  const type = rt.resolveBuiltinActorType(code);
  if (type === undefined) throw ActorError.illegalArgument(`provider code ${code.toString()} must be built-in miner actor`);
  if (type !== MINER_TYPE) throw ActorError.illegalArgument(`allocation provider ${id} must be a miner actor, was ${type}`);
}

/** UniversalReceiverHook (`Receive`), from the DataCap actor only. */
export function universalReceiverHook(rt: Runtime, policy: VerifregPolicy, params: UniversalReceiverParams): AllocationsResponse {
  rt.validateImmediateCallerIs([DATACAP_TOKEN_ACTOR_ADDR]);
  const myId = rt.message.receiver.id;
  const epoch = rt.curEpoch;

  if (params.type !== FRC46_TOKEN_TYPE) {
    throw ActorError.illegalArgument(`invalid token type ${params.type}, expected ${FRC46_TOKEN_TYPE} (FRC-46)`);
  }
  const received = deserialize(FRC46TokenReceived, params.payload, 'receiver hook payload');
  if (received.to !== myId) throw ActorError.illegalArgument(`token receiver expected to ${myId}, was ${received.to}`);
  const client = received.from;
  const reqs = deserialize(AllocationRequests, received.operatorData, 'allocation requests');

  let total = 0n;
  const newAllocs: Allocation[] = [];
  for (const req of reqs.allocations) {
    validateNewAllocation(req, policy, epoch);
    checkMinerId(rt, req.provider);
    newAllocs.push({ client, provider: req.provider, data: req.data, size: req.size, termMin: req.termMin, termMax: req.termMax, expiration: req.expiration });
    total += req.size;
  }

  const claims = loadClaims(rt.store, rt.state(VerifregState));
  const updated: [bigint, Claim][] = [];
  let extensionTotal = 0n;
  for (const req of reqs.extensions) {
    // Any client may pay to extend any claim; the claim keeps its original client.
    const claim = claims.get(req.provider, req.claim);
    if (claim === undefined) throw ActorError.notFound(`no claim ${req.claim} for provider ${req.provider}`);
    validateClaimExtension(req, claim, policy, epoch);
    updated.push([req.claim, { ...claim, termMax: req.termMax }]);
    total += claim.size;
    extensionTotal += claim.size;
  }

  const receivedDatacap = tokensToDatacap(received.amount);
  if (total !== receivedDatacap) {
    throw ActorError.illegalArgument(`total allocation size ${total} must match data cap amount received ${receivedDatacap}`);
  }

  datacapBurn(rt, extensionTotal);

  const ids = rt.transaction(VerifregState, (st) => {
    const ids = insertAllocations(rt.store, st, client, newAllocs);
    ids.forEach((id, i) => emit.allocationCreated(rt, id, newAllocs[i]!));
    putClaims(rt.store, st, updated);
    for (const [id, cl] of updated) emit.claimUpdated(rt, id, cl);
    return ids;
  });
  return { allocationResults: batchOk(newAllocs.length), extensionResults: batchOk(updated.length), newAllocations: ids };
}

/**
 * Helpers shared by the market handlers.
 *
 * - Source: builtin-actors `actors/market/src/lib.rs` `deal_cid`, `escrow_address`.
 *
 * @module
 */
import { ActorError, Address, type CID, type Runtime, encodeWith } from 'fvm-sim';
import { BURNT_FUNDS_ACTOR_ADDR } from '../../../shared/singletons.js';
import { extractSendResult, requestMinerControlAddrs } from '../ext.js';
import { DealProposal, cidFromBlake2bDigest } from '../types.js';

/** Built-in type name of storage miners (the only callers of the activation and termination methods). */
export const MINER_TYPE = 'storageminer';
/** Method 0: a plain value transfer. */
export const METHOD_SEND = 0;

/** Proposal CID using the runtime's (gas-charged) blake2b (market `deal_cid`). */
export function dealCid(rt: Runtime, proposal: DealProposal): CID {
  return serializedDealCid(rt, encodeWith(DealProposal, proposal));
}

/** Proposal CID of already serialized proposal bytes (market `serialized_deal_cid`). */
export function serializedDealCid(rt: Runtime, bytes: Uint8Array): CID {
  return cidFromBlake2bDigest(rt.hashBlake2b(bytes));
}

/**
 * The address a balance is held under, the recipient of withdrawals, and who may withdraw (market
 * `escrow_address`): for a miner, the owner receives and the owner or worker may withdraw; for
 * anyone else, the address itself.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT if the address does not resolve or has no code.
 */
export function escrowAddress(rt: Runtime, addr: Address): { nominal: Address; recipient: Address; approved: Address[] } {
  const id = rt.resolveAddress(addr);
  if (id === undefined) throw ActorError.illegalArgument(`failed to resolve address ${addr.toString()}`);
  const code = rt.getActorCodeCid(id);
  if (code === undefined) throw ActorError.illegalArgument(`no code for address ${id}`);
  const nominal = Address.newId(id);
  if (rt.resolveBuiltinActorType(code) === MINER_TYPE) {
    const { owner, worker } = requestMinerControlAddrs(rt, nominal);
    return { nominal, recipient: owner, approved: [owner, worker] };
  }
  return { nominal, recipient: nominal, approved: [nominal] };
}

/** Sends `amount` to f099 (no-op for zero). */
export function burn(rt: Runtime, amount: bigint): void {
  if (amount > 0n) extractSendResult(rt.send(BURNT_FUNDS_ACTOR_ADDR, METHOD_SEND, null, amount), 'failed to burn funds');
}

/** Runs `fn`; an ActorError it throws becomes the returned error (for per-item failures). */
export function attempt<T>(fn: () => T): { ok: T } | { err: ActorError } {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof ActorError) return { err: e };
    throw e;
  }
}

/** The ID of an ID address (stored proposals always hold ID addresses). */
export function idOf(addr: Address): bigint {
  return addr.id;
}

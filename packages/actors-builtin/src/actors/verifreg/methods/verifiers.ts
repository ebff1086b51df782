/**
 * Verifier and client management: AddVerifier, RemoveVerifier, AddVerifiedClient (mints DataCap)
 * and RemoveVerifiedClientDataCap (two verifiers' signed approvals, then Destroy).
 *
 * - Source: builtin-actors `actors/verifreg/src/lib.rs` (`add_verifier`, `remove_verifier`,
 *   `add_verified_client`, `remove_verified_client_data_cap`, `use_proposal_id`,
 *   `remove_data_cap_request_is_valid`); `runtime/src/builtin/shared.rs` (`resolve_to_actor_id`).
 *
 * @module
 */
import { ActorError, Address, type Runtime, encodeWith } from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, VERIFIED_REGISTRY_ACTOR_ADDR } from '../../../shared/singletons.js';
import { extractSendResult } from '../../market/ext.js';
import * as emit from '../emit.js';
import { authenticateMessage, datacapBalance, datacapDestroy, datacapMint, withContext } from '../ext.js';
import type { VerifregPolicy } from '../policy.js';
import { getVerifierCap, isVerifier, putVerifier, removeVerifier, useProposalId } from '../state.js';
import {
  type AddVerifiedClientParams,
  type AddVerifierParams,
  type RemoveDataCapParams,
  RemoveDataCapProposal,
  type RemoveDataCapRequest,
  type RemoveDataCapReturn,
  SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP,
  VerifregState,
} from '../types.js';

/**
 * Resolves an address to an actor ID, first sending it zero FIL to create an account when it does
 * not resolve (`resolve_to_actor_id`). With `checkExistence`, an ID without an actor is
 * USR_NOT_FOUND.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT if the address still does not resolve.
 */
export function resolveToActorId(rt: Runtime, addr: Address, checkExistence: boolean): bigint {
  let id = rt.resolveAddress(addr);
  if (id === undefined) {
    withContext(`failed to send zero balance to address ${addr.toString()}`, () => extractSendResult(rt.send(addr, 0, null, 0n), 'send'));
    id = rt.resolveAddress(addr);
  }
  if (id === undefined) throw ActorError.illegalArgument(`failed to resolve or initialize address ${addr.toString()}`);
  if (checkExistence && rt.getActorCodeCid(id) === undefined) throw ActorError.notFound(`no code for address ${addr.toString()}`);
  return id;
}

/** AddVerifier (2): the root key gives a verifier an allowance (overwriting any). */
export function addVerifier(rt: Runtime, policy: VerifregPolicy, p: AddVerifierParams): null {
  if (p.allowance < policy.minimumVerifiedAllocationSize) {
    throw ActorError.illegalArgument(`Allowance ${p.allowance} below minimum deal size for add verifier ${p.address.toString()}`);
  }
  const verifier = resolveToActorId(rt, p.address, true);
  const verifierAddr = Address.newId(verifier);
  const st = rt.state(VerifregState);
  rt.validateImmediateCallerIs([st.rootKey]);
  if (verifierAddr.equals(st.rootKey)) throw ActorError.illegalArgument('Rootkey cannot be added as verifier');
  if (datacapBalance(rt, verifierAddr) > 0n) {
    throw ActorError.illegalArgument(`verified client ${verifierAddr.toString()} cannot become a verifier`);
  }
  rt.transaction(VerifregState, (s) => putVerifier(rt.store, s, verifierAddr, p.allowance));
  emit.verifierBalance(rt, verifier, p.allowance);
  return null;
}

/** RemoveVerifier (3): the root key removes a verifier. */
export function removeVerifierMethod(rt: Runtime, addr: Address): null {
  const verifier = resolveToActorId(rt, addr, false);
  rt.transaction(VerifregState, (s) => {
    rt.validateImmediateCallerIs([s.rootKey]);
    removeVerifier(rt.store, s, Address.newId(verifier));
  });
  emit.verifierBalance(rt, verifier, 0n);
  return null;
}

/**
 * AddVerifiedClient (4 / exported): a verifier spends part of its allowance to mint DataCap to a
 * client, with the market as an infinite-allowance operator.
 */
export function addVerifiedClient(rt: Runtime, policy: VerifregPolicy, p: AddVerifiedClientParams): null {
  rt.validateImmediateCallerAcceptAny();
  if (p.allowance < policy.minimumVerifiedAllocationSize) {
    throw ActorError.illegalArgument(`allowance ${p.allowance} below MinVerifiedDealSize for add verified client ${p.address.toString()}`);
  }
  const clientId = resolveToActorId(rt, p.address, true);
  const client = Address.newId(clientId);
  rt.transaction(VerifregState, (st) => {
    if (client.equals(st.rootKey)) throw ActorError.illegalArgument('root cannot be added as client');
    const verifier = rt.message.caller;
    const cap = getVerifierCap(rt.store, st, verifier);
    if (cap === undefined) throw ActorError.notFound(`caller ${verifier.toString()} is not a verifier`);
    if (getVerifierCap(rt.store, st, client) !== undefined) {
      throw ActorError.illegalArgument(`verifier ${client.toString()} cannot be added as a verified client`);
    }
    if (cap < p.allowance) throw ActorError.illegalArgument(`add more DataCap ${p.allowance} for client than allocated ${cap}`);
    const newCap = cap - p.allowance;
    putVerifier(rt.store, st, verifier, newCap);
    emit.verifierBalance(rt, verifier.id, newCap, clientId);
  });
  withContext(`failed to mint ${p.allowance} data cap to client ${client.toString()}`, () => datacapMint(rt, client, p.allowance, [STORAGE_MARKET_ACTOR_ADDR]));
  return null;
}

/** Checks one verifier's signed approval of a removal by asking its account (`remove_data_cap_request_is_valid`). */
function checkRemovalRequest(rt: Runtime, request: RemoveDataCapRequest, id: bigint, amount: bigint, client: Address): void {
  const proposal = encodeWith(RemoveDataCapProposal, { verifiedClient: client, dataCapAmount: amount, removalProposalId: { id } });
  const payload = new Uint8Array(SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP.length + proposal.length);
  payload.set(SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP, 0);
  payload.set(proposal, SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP.length);
  authenticateMessage(rt, request.verifier, request.signature.data, payload);
}

/**
 * RemoveVerifiedClientDataCap (7): the root key, with the signed approvals of two different
 * verifiers over `[client, amount, [proposal id]]`, destroys up to `amount` of a client's DataCap.
 * The pair's proposal IDs are consumed before the signatures are checked (and restored by the
 * abort when one fails).
 */
export function removeVerifiedClientDataCap(rt: Runtime, p: RemoveDataCapParams): RemoveDataCapReturn {
  const client = Address.newId(resolveToActorId(rt, p.verifiedClientToRemove, false));
  const verifier1 = Address.newId(resolveToActorId(rt, p.verifierRequest1.verifier, true));
  const verifier2 = Address.newId(resolveToActorId(rt, p.verifierRequest2.verifier, true));
  if (verifier1.equals(verifier2)) throw ActorError.illegalArgument('need two different verifiers to send remove datacap request');

  const [id1, id2] = rt.transaction(VerifregState, (st) => {
    rt.validateImmediateCallerIs([st.rootKey]);
    if (p.verifiedClientToRemove.equals(VERIFIED_REGISTRY_ACTOR_ADDR)) {
      throw ActorError.illegalArgument('cannot remove data cap from verified registry itself');
    }
    if (!isVerifier(rt.store, st, verifier1)) throw ActorError.notFound(`${verifier1.toString()} is not a verifier`);
    if (!isVerifier(rt.store, st, verifier2)) throw ActorError.notFound(`${verifier2.toString()} is not a verifier`);
    return [useProposalId(rt.store, st, verifier1, client), useProposalId(rt.store, st, verifier2, client)] as const;
  });

  checkRemovalRequest(rt, p.verifierRequest1, id1, p.dataCapAmountToRemove, client);
  checkRemovalRequest(rt, p.verifierRequest2, id2, p.dataCapAmountToRemove, client);

  const balance = withContext('failed to fetch balance', () => datacapBalance(rt, client));
  const burnt = balance < p.dataCapAmountToRemove ? balance : p.dataCapAmountToRemove;
  withContext(`failed to destroy ${burnt} from allowance for ${client.toString()}`, () => datacapDestroy(rt, client, burnt));
  return { verifiedClient: client, dataCapRemoved: burnt };
}

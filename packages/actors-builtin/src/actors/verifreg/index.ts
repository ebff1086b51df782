/**
 * The Verified Registry actor (f06), builtin-actors v18 `actors/verifreg`: the actor factory, its
 * policy, the CBOR codecs of its state and methods, pure state functions, events, and the state
 * invariant checker.
 *
 * @packageDocumentation
 */
export { createVerifregActor } from './actor.js';
export * from './policy.js';
export * from './types.js';
export * as verifregState from './state.js';
export * as verifregExt from './ext.js';
export { allocationEntries, claimEntries, verifierBalanceEntries, type VerifregEventType } from './emit.js';
export { canClaimAlloc } from './methods/allocations.js';
export { validateClaimExtension, validateNewAllocation } from './methods/receiver.js';
export { checkVerifregStateInvariants, type VerifregStateSummary } from './invariants.js';

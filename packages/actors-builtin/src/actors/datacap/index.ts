/**
 * The DataCap actor (f07), builtin-actors v18 `actors/datacap`: the actor, the CBOR codecs of its
 * state and methods, the FRC-46 token state functions, and the state invariant checker.
 *
 * @packageDocumentation
 */
export { datacapActor } from './actor.js';
export * from './types.js';
export * as datacapToken from './token.js';
export { checkDatacapStateInvariants, type DatacapStateSummary } from './invariants.js';

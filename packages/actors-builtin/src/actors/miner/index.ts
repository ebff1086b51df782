/**
 * The Storage Miner actor (builtin-actors v18 `actors/miner`): the actor factory, policy and proof
 * tables, pledge and fee formulas, vesting, deadline arithmetic, the CBOR codecs of its state and
 * methods, its state functions (`minerState`), events, and the simulator's consensus-fault headers.
 *
 * @packageDocumentation
 */
export * from './policy.js';
export * from './monies.js';
export * from './vesting.js';
export * from './vestingStore.js';
export * from './deadlines.js';
export * from './types.js';
export { createMinerActor } from './actor.js';
export * as minerState from './state.js';
export * as minerExt from './ext.js';
export { sectorEventEntries, sectorInfoEventEntries, type EventPiece, type MinerEventType } from './emit.js';
export { notifyDataConsumers, type ActivationNotifications } from './notifications.js';
export { SimBlockHeader, verifyConsensusFault, type ConsensusFault } from './methods/funds.js';

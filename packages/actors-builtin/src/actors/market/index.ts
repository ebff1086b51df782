/**
 * The Storage Market actor (f05), builtin-actors v18 `actors/market`: the actor factory, its
 * policy, the CBOR codecs of its state and methods, pure state functions, the unsealed-CID
 * computation it uses, and the state invariant checker.
 *
 * @packageDocumentation
 */
export { createMarketActor } from './actor.js';
export * from './policy.js';
export * from './types.js';
export { BalanceTable } from './balanceTable.js';
export * as marketState from './state.js';
export * as marketExt from './ext.js';
export { dealEventEntries, type MarketEventType } from './emit.js';
export { computeUnsealedSectorCid, sealProofSectorSize, zeroPieceCommitment, type PieceCommitment } from './commd.js';
export { checkMarketStateInvariants, MessageAccumulator, type DealSummary, type MarketStateSummary } from './invariants.js';

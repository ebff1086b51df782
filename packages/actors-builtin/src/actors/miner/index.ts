/**
 * The Miner actor's foundations (builtin-actors v18 `actors/miner`): policy and proof tables, pledge and
 * fee formulas, vesting, deadline arithmetic, and the CBOR codecs of its state and methods.
 *
 * @packageDocumentation
 */
export * from './policy.js';
export * from './monies.js';
export * from './vesting.js';
export * from './vestingStore.js';
export * from './deadlines.js';
export * from './types.js';

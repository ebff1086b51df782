/**
 * The Filecoin built-in actors for fvm-sim, following builtin-actors v18.
 *
 * @packageDocumentation
 */
export * from './shared/singletons.js';
export * from './shared/codes.js';
export * from './shared/keys.js';
export * from './shared/codecs.js';
export * as math from './shared/math/fixed.js';
export * as smooth from './shared/math/smooth.js';

export { systemActor, SystemState, SystemMethod } from './actors/system/actor.js';
export { initActor, canExec, ADDRESS_MAP_BITWIDTH } from './actors/init/actor.js';
export * as init from './actors/init/types.js';
export { accountActor, universalReceiverFallback } from './actors/account/actor.js';
export * as account from './actors/account/types.js';
export { placeholderActor } from './actors/placeholder/actor.js';
export { ethAccountActor } from './actors/ethaccount/actor.js';
export { cronActor } from './actors/cron/actor.js';
export * as cron from './actors/cron/types.js';
export { rewardActor } from './actors/reward/actor.js';
export * as reward from './actors/reward/types.js';
export * as rewardLogic from './actors/reward/logic.js';
export { createPowerActor } from './actors/power/actor.js';
export * as power from './actors/power/types.js';
export * as powerState from './actors/power/state.js';
export type { PowerPolicy } from './actors/power/policy.js';
export * as market from './actors/market/index.js';
export { createMarketActor } from './actors/market/actor.js';
export * as miner from './actors/miner/index.js';
export { createMinerActor } from './actors/miner/actor.js';
export * as verifreg from './actors/verifreg/index.js';
export { createVerifregActor } from './actors/verifreg/actor.js';
export * as datacap from './actors/datacap/index.js';
export { datacapActor } from './actors/datacap/actor.js';

export * from './shared/policy.js';
export * from './devnet/index.js';

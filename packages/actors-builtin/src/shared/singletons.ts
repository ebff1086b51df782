import { Address } from 'fvm-sim';

/** Singleton actor IDs, as on mainnet (builtin-actors `runtime/src/builtin/singletons.rs`). */
export const SYSTEM_ACTOR_ID = 0n;
export const INIT_ACTOR_ID = 1n;
export const REWARD_ACTOR_ID = 2n;
export const CRON_ACTOR_ID = 3n;
export const STORAGE_POWER_ACTOR_ID = 4n;
export const STORAGE_MARKET_ACTOR_ID = 5n;
export const VERIFIED_REGISTRY_ACTOR_ID = 6n;
export const DATACAP_TOKEN_ACTOR_ID = 7n;
export const EAM_ACTOR_ID = 10n;
export const BURNT_FUNDS_ACTOR_ID = 99n;

/** ID addresses of the singletons. */
export const SYSTEM_ACTOR_ADDR = Address.newId(SYSTEM_ACTOR_ID);
export const INIT_ACTOR_ADDR = Address.newId(INIT_ACTOR_ID);
export const REWARD_ACTOR_ADDR = Address.newId(REWARD_ACTOR_ID);
export const CRON_ACTOR_ADDR = Address.newId(CRON_ACTOR_ID);
export const STORAGE_POWER_ACTOR_ADDR = Address.newId(STORAGE_POWER_ACTOR_ID);
export const STORAGE_MARKET_ACTOR_ADDR = Address.newId(STORAGE_MARKET_ACTOR_ID);
export const VERIFIED_REGISTRY_ACTOR_ADDR = Address.newId(VERIFIED_REGISTRY_ACTOR_ID);
export const DATACAP_TOKEN_ACTOR_ADDR = Address.newId(DATACAP_TOKEN_ACTOR_ID);
export const EAM_ACTOR_ADDR = Address.newId(EAM_ACTOR_ID);
export const BURNT_FUNDS_ACTOR_ADDR = Address.newId(BURNT_FUNDS_ACTOR_ID);

/** The first ID Init assigns to a non-singleton actor. */
export const FIRST_NON_SINGLETON_ID = 100n;

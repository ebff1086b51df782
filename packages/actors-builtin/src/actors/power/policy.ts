/** Power-actor policy fields (builtin-actors `runtime/src/runtime/policy.rs`, power section). */
export interface PowerPolicy {
  /** Raw power a miner needs to count toward consensus power (mainnet 10 TiB). */
  readonly minimumConsensusPower: bigint;
}

/** Miners that must meet the minimum before the minimum applies (builtin-actors `CONSENSUS_MINER_MIN_MINERS`). */
export const CONSENSUS_MINER_MIN_MINERS = 4n;
/** Bit widths of the cron event queue's HAMT and AMTs. */
export const CRON_QUEUE_HAMT_BITWIDTH = 6;
export const CRON_QUEUE_AMT_BITWIDTH = 6;
/** Bit width of the claims HAMT. */
export const CLAIMS_HAMT_BITWIDTH = 5;
/** Genesis QA power estimate: position 750,000 GiB, velocity 3,840 GiB per epoch (builtin-actors power state). */
export const INITIAL_QA_POWER_ESTIMATE_POSITION = 750_000n * (1n << 30n);
export const INITIAL_QA_POWER_ESTIMATE_VELOCITY = 3_840n * (1n << 30n);

/**
 * Constants of the reward actor (f02), as builtin-actors v18 defines them. Every value is an exact
 * `bigint`; "Q.128" means the value is scaled by 2^128. Each constant names the file it comes from.
 */

import { PRECISION } from '../../shared/math/fixed.js';

/** attoFIL in one FIL: 10^18 (ref-fvm `shared/src/econ/mod.rs`, `TokenAmount::PRECISION`, DECIMALS = 18). */
export const ATTO_PER_FIL = 10n ** 18n;

/** `ChainEpoch` value meaning "no epoch" (ref-fvm `shared/src/clock/mod.rs`, `EPOCH_UNDEFINED = -1`). */
export const EPOCH_UNDEFINED = -1n;

/**
 * Per-epoch growth factor of the baseline, Q.128: floor(e^(ln 2 / (365 days / 30 s)) · 2^128), i.e. the
 * baseline doubles every 1,051,200 epochs (`actors/reward/src/logic.rs`, `BASELINE_EXPONENT`).
 */
export const BASELINE_EXPONENT = 340282591298641078465964189926313473653n;

/**
 * Baseline power at the reward actor's epoch 0, bytes: 2,888,888,880,000,000,000 ≈ 2.5057 EiB
 * (`actors/reward/src/logic.rs`, `BASELINE_INITIAL_VALUE`). It is also the genesis `effective_baseline_power`.
 */
export const BASELINE_INITIAL_VALUE = 2_888_888_880_000_000_000n;

/**
 * Baseline one epoch before epoch 0, bytes: `((BASELINE_INITIAL_VALUE << 256) / BASELINE_EXPONENT) >> 128`
 * (`actors/reward/src/logic.rs`, `INIT_BASELINE_POWER`; all operands positive so `/` needs no rounding care).
 * One growth step turns it into `BASELINE_INITIAL_VALUE - 1` (reward_actor_test `construct_with_zero_power`).
 */
export const INIT_BASELINE_POWER = ((BASELINE_INITIAL_VALUE << (2n * PRECISION)) / BASELINE_EXPONENT) >> PRECISION;

/** Total of the simple (exponential-decay) minting: 330M FIL in attoFIL (`actors/reward/src/logic.rs`, `SIMPLE_TOTAL`). */
export const SIMPLE_TOTAL = 330_000_000n * ATTO_PER_FIL;

/** Total of the baseline minting: 770M FIL in attoFIL (`actors/reward/src/logic.rs`, `BASELINE_TOTAL`). */
export const BASELINE_TOTAL = 770_000_000n * ATTO_PER_FIL;

/** e^λ − 1 in Q.128, λ as below (`actors/reward/src/logic.rs`, `EXP_LAM_SUB_ONE`). */
export const EXP_LAM_SUB_ONE = 37396273494747879394193016954629n;

/**
 * λ = ln 2 / (6 · 1,051,200 epochs), the simple-minting decay rate per epoch (a 6-year half life), Q.128
 * (`actors/reward/src/logic.rs`, `LAMBDA`).
 */
export const LAMBDA = 37396271439864487274534522888786n;

/**
 * Genesis position of the smoothed reward estimate, attoFIL (Q.0): 36.266260308195979333 FIL
 * (`actors/reward/src/state.rs`, `INITIAL_REWARD_POSITION_ESTIMATE`).
 */
export const INITIAL_REWARD_POSITION_ESTIMATE = 36_266_260_308_195_979_333n;

/**
 * Genesis velocity of the smoothed reward estimate, attoFIL per epoch (Q.0): −109,897,758,509, the change of
 * the simple reward between epochs 0 and 1 (`actors/reward/src/state.rs`, `INITIAL_REWARD_VELOCITY_ESTIMATE`).
 */
export const INITIAL_REWARD_VELOCITY_ESTIMATE = -109_897_758_509n;

/** Expected block winners per epoch (`runtime/src/builtin/network.rs`, `EXPECTED_LEADERS_PER_EPOCH = 5`). */
export const EXPECTED_LEADERS_PER_EPOCH = 5n;

/** Factor applied to a block's penalty before it is passed to the miner (`actors/reward/src/lib.rs`, `PENALTY_MULTIPLIER = 3`). */
export const PENALTY_MULTIPLIER = 3n;

/**
 * Lower bound on `total_storage_power_reward + balance` checked by the state invariants: 1.1B FIL in
 * attoFIL (`actors/reward/src/testing.rs`, `check_state_invariants`).
 */
export const STORAGE_MINING_ALLOCATION_CHECK = 1_100_000_000n * ATTO_PER_FIL;

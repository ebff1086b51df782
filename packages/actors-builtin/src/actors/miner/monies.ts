/**
 * Pledge, deposit, penalty and fee formulas of the miner, bit-exact with builtin-actors v18
 * `actors/miner/src/monies.rs` (plus the two fee helpers of lib.rs that only combine them).
 *
 * All amounts are attoFIL `bigint`s; power is bytes; FilterEstimates are Q.128 (see `shared/math/smooth.ts`).
 * Rust's `div_floor` is {@link floorDiv}; `>> PRECISION` is JavaScript's arithmetic `>>` (both floor).
 */

import { PRECISION, floorDiv } from '../../shared/math/fixed.js';
import { type FilterEstimate, estimate, extrapolatedCumSumOfRatio } from '../../shared/math/smooth.js';
import { EPOCHS_IN_DAY, EXPECTED_LEADERS_PER_EPOCH, type MinerPolicy, REWARD_VESTING_SPEC, type VestSpec } from './policy.js';
import type { PowerPair } from './types.js';

/** 1 FIL in attoFIL. */
const ONE_FIL = 10n ** 18n;

/** Days of expected reward a pre-commit deposit covers (`PRE_COMMIT_DEPOSIT_FACTOR = 20`). */
export const PRE_COMMIT_DEPOSIT_FACTOR = 20n;
/** Days of expected reward the storage part of initial pledge covers (`INITIAL_PLEDGE_FACTOR = 20`). */
export const INITIAL_PLEDGE_FACTOR = 20n;
/** BR projection of the pre-commit deposit: 20 days = 57600 epochs (`PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD`). */
export const PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD = PRE_COMMIT_DEPOSIT_FACTOR * EPOCHS_IN_DAY;
/** BR projection of the initial pledge base: 20 days = 57600 epochs (`INITIAL_PLEDGE_PROJECTION_PERIOD`). */
export const INITIAL_PLEDGE_PROJECTION_PERIOD = INITIAL_PLEDGE_FACTOR * EPOCHS_IN_DAY;

/** Lock target = 3/10 of circulating supply (`LOCK_TARGET_FACTOR_NUM` / `_DENOM`). */
export const LOCK_TARGET_FACTOR_NUM = 3n;
export const LOCK_TARGET_FACTOR_DENOM = 10n;

/** Kept for completeness; unused by v18 (`TERMINATION_REWARD_FACTOR_NUM` / `_DENOM` = 1/2). */
export const TERMINATION_REWARD_FACTOR_NUM = 1n;
export const TERMINATION_REWARD_FACTOR_DENOM = 2n;

/** Share of block rewards that vests: 3/4 (`LOCKED_REWARD_FACTOR_NUM` / `_DENOM`). */
export const LOCKED_REWARD_FACTOR_NUM = 3n;
export const LOCKED_REWARD_FACTOR_DENOM = 4n;

/** FIP-0098 base termination fee: 8.5% of initial pledge (`TERM_FEE_PLEDGE_MULTIPLE_NUM` / `_DENOM`). */
export const TERM_FEE_PLEDGE_MULTIPLE_NUM = 85n;
export const TERM_FEE_PLEDGE_MULTIPLE_DENOM = 1000n;
/** FIP-0098 absolute minimum termination fee: 2% of initial pledge (`TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM` / `_DENOM`). */
export const TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM = 2n;
export const TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM = 100n;
/** FIP-0098 fault-fee floor of the termination fee: 105% of the fault fee (`TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM` / `_DENOM`). */
export const TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM = 105n;
export const TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM = 100n;

/** Pledge cap: floor(1 FIL / 32 GiB) = 29103830 attoFIL per byte of QA power (`INITIAL_PLEDGE_MAX_PER_BYTE`). */
export const INITIAL_PLEDGE_MAX_PER_BYTE = floorDiv(ONE_FIL, 32n << 30n);
/** Reward for a successful Window PoSt dispute: 4 FIL (`BASE_REWARD_FOR_DISPUTED_WINDOW_POST`). */
export const BASE_REWARD_FOR_DISPUTED_WINDOW_POST = 4n * ONE_FIL;
/** Fixed part of the penalty for a disputed Window PoSt: 20 FIL (`BASE_PENALTY_FOR_DISPUTED_WINDOW_POST`). */
export const BASE_PENALTY_FOR_DISPUTED_WINDOW_POST = 20n * ONE_FIL;

/** FF projection: floor(2880 × 351 / 100) = 10108 epochs, about 3.51 days (`CONTINUED_FAULT_PROJECTION_PERIOD`). */
export const CONTINUED_FAULT_PROJECTION_PERIOD = (EPOCHS_IN_DAY * 351n) / 100n;
/** Invalid-PoSt projection: FF + 2 days = 15868 epochs (`INVALID_WINDOW_POST_PROJECTION_PERIOD`). */
export const INVALID_WINDOW_POST_PROJECTION_PERIOD = CONTINUED_FAULT_PROJECTION_PERIOD + 2n * EPOCHS_IN_DAY;
/** Legacy termination lower-bound projection: 3.5 days = 10080 epochs (`TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD`). */
export const TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD = (EPOCHS_IN_DAY * 35n) / 10n;
/** Days of sector age after which the termination fee stops growing (`TERMINATION_LIFETIME_CAP = 140`). */
export const TERMINATION_LIFETIME_CAP = 140n;
/** Multiple of the per-winner reward taken as consensus fault penalty (`CONSENSUS_FAULT_FACTOR = 5`). */
export const CONSENSUS_FAULT_FACTOR = 5n;
/** Fixed-point scale of FIP-0081's gamma (`GAMMA_FIXED_POINT_FACTOR = 1000`). */
export const GAMMA_FIXED_POINT_FACTOR = 1000n;
/** FIP-0081: the simple-pledge share once the ramp completes, per mille (`FIP_0081_ACTIVATION_PERMILLE = 300`). */
export const FIP_0081_ACTIVATION_PERMILLE = 300n;

/**
 * BR(t): the reward a sector of `qaSectorPower` is expected to earn over `projectionDuration` epochs
 * (`expected_reward_for_power`): `qa × Σ(reward/networkQA) >> 128`, clamped at 0. When the smoothed network
 * QA power is 0, it is the reward estimate itself.
 */
export function expectedRewardForPower(
  rewardEstimate: FilterEstimate,
  networkQaPowerEstimate: FilterEstimate,
  qaSectorPower: bigint,
  projectionDuration: bigint,
): bigint {
  const networkQaPowerSmoothed = estimate(networkQaPowerEstimate);
  if (networkQaPowerSmoothed === 0n) return estimate(rewardEstimate);
  const ratio = extrapolatedCumSumOfRatio(projectionDuration, 0n, rewardEstimate, networkQaPowerEstimate);
  const br = (qaSectorPower * ratio) >> PRECISION; // Q.0 × Q.128 → Q.128 → Q.0
  return br > 0n ? br : 0n;
}

/**
 * BR(t) clamped at 1 attoFIL (`detail::expected_reward_for_power_clamped_at_atto_fil`), so that deposit and
 * pledge accounting stay strictly positive indicators of activity.
 */
export function expectedRewardForPowerClampedAtAttoFil(
  rewardEstimate: FilterEstimate,
  networkQaPowerEstimate: FilterEstimate,
  qaSectorPower: bigint,
  projectionDuration: bigint,
): bigint {
  const br = expectedRewardForPower(rewardEstimate, networkQaPowerEstimate, qaSectorPower, projectionDuration);
  return br <= 0n ? 1n : br;
}

/** FF: the penalty for a sector staying faulty another proving period, BR(10108 epochs) (`pledge_penalty_for_continued_fault`). */
export function pledgePenaltyForContinuedFault(rewardEstimate: FilterEstimate, networkQaPowerEstimate: FilterEstimate, qaSectorPower: bigint): bigint {
  return expectedRewardForPower(rewardEstimate, networkQaPowerEstimate, qaSectorPower, CONTINUED_FAULT_PROJECTION_PERIOD);
}

/** The legacy SP(t) lower bound, BR(3.5 days) (`pledge_penalty_for_termination_lower_bound`). Unused by v18's fee. */
export function pledgePenaltyForTerminationLowerBound(rewardEstimate: FilterEstimate, networkQaPowerEstimate: FilterEstimate, qaSectorPower: bigint): bigint {
  return expectedRewardForPower(rewardEstimate, networkQaPowerEstimate, qaSectorPower, TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD);
}

/**
 * The termination fee of one sector (FIP-0098, `pledge_penalty_for_termination`):
 *
 * - simple = floor(IP × 85 / 1000);
 * - age-adjusted = floor(age × simple / (140 × 2880)); base = min(simple, age-adjusted);
 * - floor = max(floor(IP × 2 / 100), floor(faultFee × 105 / 100));
 * - fee = max(base, floor).
 *
 * @param initialPledge the sector's initial pledge
 * @param sectorAge termination epoch − activation epoch
 * @param faultFee FF of the sector's QA power ({@link pledgePenaltyForContinuedFault})
 */
export function pledgePenaltyForTermination(initialPledge: bigint, sectorAge: bigint, faultFee: bigint): bigint {
  const simple = floorDiv(initialPledge * TERM_FEE_PLEDGE_MULTIPLE_NUM, TERM_FEE_PLEDGE_MULTIPLE_DENOM);
  const byDuration = floorDiv(sectorAge * simple, TERMINATION_LIFETIME_CAP * EPOCHS_IN_DAY);
  const base = simple < byDuration ? simple : byDuration;
  const minAbs = floorDiv(initialPledge * TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM, TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM);
  const minFf = floorDiv(faultFee * TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM, TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM);
  const minimum = minAbs > minFf ? minAbs : minFf;
  return base > minimum ? base : minimum;
}

/**
 * What the exported `MaxTerminationFee` method returns (lib.rs `max_termination_fee`): the termination fee
 * at age 140 days, with FF of `power`.
 */
export function maxTerminationFee(rewardEstimate: FilterEstimate, networkQaPowerEstimate: FilterEstimate, power: bigint, initialPledge: bigint): bigint {
  const faultFee = pledgePenaltyForContinuedFault(rewardEstimate, networkQaPowerEstimate, power);
  return pledgePenaltyForTermination(initialPledge, TERMINATION_LIFETIME_CAP * EPOCHS_IN_DAY, faultFee);
}

/** Penalty for an optimistically accepted but invalid Window PoSt: BR(15868 epochs) + 20 FIL (`pledge_penalty_for_invalid_windowpost`). */
export function pledgePenaltyForInvalidWindowPoSt(rewardEstimate: FilterEstimate, networkQaPowerEstimate: FilterEstimate, qaSectorPower: bigint): bigint {
  return expectedRewardForPower(rewardEstimate, networkQaPowerEstimate, qaSectorPower, INVALID_WINDOW_POST_PROJECTION_PERIOD) + BASE_PENALTY_FOR_DISPUTED_WINDOW_POST;
}

/** Reward for disputing a Window PoSt: the 4 FIL base, whatever the power (miner policy.rs `reward_for_disputed_window_post`). */
export function rewardForDisputedWindowPoSt(_proofType: number, _disputedPower: PowerPair): bigint {
  return BASE_REWARD_FOR_DISPUTED_WINDOW_POST;
}

/**
 * The pre-commit deposit: BR(20 days) clamped at 1 attoFIL (`pre_commit_deposit_for_power`). The actor
 * calls it with {@link qaPowerMax} of the sector size, whatever the deals.
 */
export function preCommitDepositForPower(rewardEstimate: FilterEstimate, networkQaPowerEstimate: FilterEstimate, qaSectorPower: bigint): bigint {
  return expectedRewardForPowerClampedAtAttoFil(rewardEstimate, networkQaPowerEstimate, qaSectorPower, PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD);
}

/**
 * The initial pledge for new QA power (`initial_pledge_for_power`, with the FIP-0081 ramp):
 *
 * - `ipBase` = BR(20 days), clamped at 1 attoFIL;
 * - lock target = 3/10 × circulating supply;
 * - skew = 0 before the ramp starts, 300 once `rampDurationEpochs` is 0 or the ramp is over, else
 *   `epochsSinceRampStart × 300 / rampDurationEpochs` (integer division); γ = 1000 − skew;
 * - additional = floor(γ × lock × qa / (max(networkQA, baseline, qa) × 1000))
 *              + floor((1000 − γ) × lock × qa / (max(networkQA, qa) × 1000)), with networkQA the smoothed estimate;
 * - result = min(ipBase + additional, qa × {@link INITIAL_PLEDGE_MAX_PER_BYTE}).
 *
 * @throws RangeError when every power in a denominator is 0 (Rust panics there too).
 */
export function initialPledgeForPower(
  qaPower: bigint,
  baselinePower: bigint,
  rewardEstimate: FilterEstimate,
  networkQaPowerEstimate: FilterEstimate,
  circulatingSupply: bigint,
  epochsSinceRampStart: bigint,
  rampDurationEpochs: bigint,
): bigint {
  const ipBase = expectedRewardForPowerClampedAtAttoFil(rewardEstimate, networkQaPowerEstimate, qaPower, INITIAL_PLEDGE_PROJECTION_PERIOD);

  const lockTargetNum = circulatingSupply * LOCK_TARGET_FACTOR_NUM;
  const lockTargetDenom = LOCK_TARGET_FACTOR_DENOM;
  const networkQaPower = estimate(networkQaPowerEstimate);

  // FIP-0081: gamma/1000 is the share of the baseline formulation, ramping from 1000 down to 700.
  let skew: bigint;
  if (epochsSinceRampStart < 0n) skew = 0n;
  else if (rampDurationEpochs === 0n || epochsSinceRampStart >= rampDurationEpochs) skew = FIP_0081_ACTIVATION_PERMILLE;
  else skew = (epochsSinceRampStart * FIP_0081_ACTIVATION_PERMILLE) / rampDurationEpochs; // i64 division, both positive
  const gamma = GAMMA_FIXED_POINT_FACTOR - skew;

  const additionalIpNum = lockTargetNum * qaPower;
  const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
  const shareDenomBaseline = maxOf(maxOf(networkQaPower, baselinePower), qaPower);
  const shareDenomSimple = maxOf(networkQaPower, qaPower);

  const additionalBaseline = floorDiv(gamma * additionalIpNum, shareDenomBaseline * lockTargetDenom * GAMMA_FIXED_POINT_FACTOR);
  const additionalSimple = floorDiv((GAMMA_FIXED_POINT_FACTOR - gamma) * additionalIpNum, shareDenomSimple * lockTargetDenom * GAMMA_FIXED_POINT_FACTOR);

  const nominal = ipBase + additionalBaseline + additionalSimple;
  const cap = INITIAL_PLEDGE_MAX_PER_BYTE * qaPower;
  return nominal < cap ? nominal : cap;
}

/** The network inputs of the pledge formula, as the actor gathers them from the reward and power actors. */
export interface NetworkPledgeInputs {
  /** Smoothed network QA power (power actor `CurrentTotalPower`). */
  readonly networkQap: FilterEstimate;
  /** This epoch's baseline power (reward actor `ThisEpochReward`). */
  readonly networkBaseline: bigint;
  /** Circulating supply (`rt.totalFilCircSupply()`). */
  readonly circulatingSupply: bigint;
  /** Smoothed per-epoch reward (reward actor `ThisEpochReward`). */
  readonly epochReward: FilterEstimate;
  /** `now − ramp_start_epoch` (power actor). */
  readonly epochsSinceRampStart: bigint;
  /** `ramp_duration_epochs` (power actor). */
  readonly rampDurationEpochs: bigint;
}

/**
 * The FIP-0077 create-miner deposit: the initial pledge of `policy.createMinerDepositPower` (1 TiB on
 * mainnet) under current network conditions (lib.rs `calculate_create_miner_deposit`).
 */
export function createMinerDeposit(policy: MinerPolicy, inputs: NetworkPledgeInputs): bigint {
  return initialPledgeForPower(
    policy.createMinerDepositPower,
    inputs.networkBaseline,
    inputs.epochReward,
    inputs.networkQap,
    inputs.circulatingSupply,
    inputs.epochsSinceRampStart,
    inputs.rampDurationEpochs,
  );
}

/** The consensus fault penalty: floor(thisEpochReward × 5 / 5) (`consensus_fault_penalty`). */
export function consensusFaultPenalty(thisEpochReward: bigint): bigint {
  return floorDiv(thisEpochReward * CONSENSUS_FAULT_FACTOR, EXPECTED_LEADERS_PER_EPOCH);
}

/**
 * The part of a block reward that vests, and its schedule (`locked_reward_from_reward`):
 * floor(reward × 3 / 4) under {@link REWARD_VESTING_SPEC}.
 */
export function lockedRewardFromReward(reward: bigint): { lockAmount: bigint; spec: VestSpec } {
  return { lockAmount: floorDiv(reward * LOCKED_REWARD_FACTOR_NUM, LOCKED_REWARD_FACTOR_DENOM), spec: REWARD_VESTING_SPEC };
}

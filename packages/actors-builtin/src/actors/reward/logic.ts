/**
 * Pure arithmetic of the reward actor (f02), bit-exact with builtin-actors v18
 * (`actors/reward/src/logic.rs`, `state.rs`, `lib.rs`). No actor plumbing here: every function takes and
 * returns plain values, and none mutates its arguments.
 *
 * Units: powers in bytes, rewards in attoFIL, epochs as `bigint` (ChainEpoch, i64). Values named "Q.128"
 * are scaled by 2^128.
 */

import { PRECISION, Q128_ONE, expneg, floorDiv } from '../../shared/math/fixed.js';
import { type FilterEstimate, DEFAULT_ALPHA, DEFAULT_BETA, newFilterEstimate, nextEstimate } from '../../shared/math/smooth.js';
import {
  BASELINE_EXPONENT,
  BASELINE_INITIAL_VALUE,
  BASELINE_TOTAL,
  EPOCH_UNDEFINED,
  EXPECTED_LEADERS_PER_EPOCH,
  EXP_LAM_SUB_ONE,
  INITIAL_REWARD_POSITION_ESTIMATE,
  INITIAL_REWARD_VELOCITY_ESTIMATE,
  INIT_BASELINE_POWER,
  LAMBDA,
  SIMPLE_TOTAL,
  STORAGE_MINING_ALLOCATION_CHECK,
} from './policy.js';

/**
 * Reward actor state. The property order below is the CBOR tuple order of builtin-actors' `State`
 * (digest §8.1); every big number is a `BigInt` on the wire, the two epochs are i64 and the estimate is
 * the tuple `[position, velocity]`.
 */
export interface RewardState {
  /** 1. Cumulative baseline up to `effectiveNetworkTime`, byte-epochs: the target `cumsumRealized` must pass for θ to advance. */
  readonly cumsumBaseline: bigint;
  /** 2. Cumulative realized power, each epoch capped at that epoch's baseline, byte-epochs. */
  readonly cumsumRealized: bigint;
  /** 3. Effective network time: the ceiling of θ, where CumsumBaseline(θ) = CumsumRealized. */
  readonly effectiveNetworkTime: bigint;
  /** 4. Baseline power at `effectiveNetworkTime`, bytes. */
  readonly effectiveBaselinePower: bigint;
  /** 5. Reward for all winners of the next non-null epoch, attoFIL (a block earns `× winCount / 5`). */
  readonly thisEpochReward: bigint;
  /** 6. Alpha-beta smoothed `thisEpochReward` (Q.128 position and velocity). */
  readonly thisEpochRewardSmoothed: FilterEstimate;
  /** 7. Baseline power the network targets at `epoch`, bytes. */
  readonly thisEpochBaselinePower: bigint;
  /** 8. The epoch for which the reward was computed. */
  readonly epoch: bigint;
  /** 9. Total block reward paid out so far (without gas rewards), attoFIL. */
  readonly totalStoragePowerReward: bigint;
  /** 10. Simple minting total, attoFIL (330M FIL). */
  readonly simpleTotal: bigint;
  /** 11. Baseline minting total, attoFIL (770M FIL). */
  readonly baselineTotal: bigint;
}

/** BaselinePower(t) from BaselinePower(t−1): `(prev · BASELINE_EXPONENT) >> 128` (logic.rs `baseline_power_from_prev`). */
export function baselinePowerFromPrev(prevPower: bigint): bigint {
  return (prevPower * BASELINE_EXPONENT) >> PRECISION;
}

/**
 * The fractional effective network time θ, Q.128 (logic.rs `compute_r_theta`): `effectiveNetworkTime`
 * (the ceiling of θ) minus `floor(((cumsumBaseline − cumsumRealized) << 128) / baselinePowerAtEffectiveNetworkTime)`,
 * a linear interpolation inside the last baseline step. θ is 0 when `effectiveNetworkTime` is 0.
 */
export function computeRTheta(
  effectiveNetworkTime: bigint,
  baselinePowerAtEffectiveNetworkTime: bigint,
  cumsumRealized: bigint,
  cumsumBaseline: bigint,
): bigint {
  if (effectiveNetworkTime === 0n) return 0n;
  const rewardTheta = effectiveNetworkTime << PRECISION;
  const diff = floorDiv((cumsumBaseline - cumsumRealized) << PRECISION, baselinePowerAtEffectiveNetworkTime);
  return rewardTheta - diff;
}

/**
 * Baseline tokens minted by effective network time θ, Q.128 attoFIL (logic.rs `compute_baseline_supply`):
 * `(1 − e^(−λθ)) · baselineTotal`, with `λθ` shifted down by 128 before `expneg`.
 */
export function computeBaselineSupply(theta: bigint, baselineTotal: bigint): bigint {
  const thetaLam = (theta * LAMBDA) >> PRECISION;
  // One epoch's θ after is the next epoch's θ before: remember the last few exponentials (a pure
  // function, so the memo cannot change a result).
  let e = expnegMemo.get(thetaLam);
  if (e === undefined) {
    e = expneg(thetaLam);
    if (expnegMemo.size >= 4) expnegMemo.delete(expnegMemo.keys().next().value!);
    expnegMemo.set(thetaLam, e);
  }
  return (Q128_ONE - e) * baselineTotal;
}

const expnegMemo = new Map<bigint, bigint>();

/**
 * The reward for all expected winners of `epoch`, attoFIL, when θ moves from `prevTheta` to `currTheta`
 * (both Q.128) (logic.rs `compute_reward`):
 * simple = `(simpleTotal · (e^λ − 1) · e^(−λ·epoch)) >> 128`, still Q.128;
 * baseline = `BaselineSupply(currTheta) − BaselineSupply(prevTheta)`, Q.128;
 * result = `(simple + baseline) >> 128`.
 */
export function computeReward(
  epoch: bigint,
  prevTheta: bigint,
  currTheta: bigint,
  simpleTotal: bigint,
  baselineTotal: bigint,
): bigint {
  const epochLam = LAMBDA * epoch;
  const simpleReward = (simpleTotal * EXP_LAM_SUB_ONE * expneg(epochLam)) >> PRECISION;
  const baselineReward = computeBaselineSupply(currTheta, baselineTotal) - computeBaselineSupply(prevTheta, baselineTotal);
  return (simpleReward + baselineReward) >> PRECISION;
}

// ----------------------------------------------------------------------------------------------
// State transitions (state.rs). Internally they work on a private mutable copy.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function advanceEpoch(st: Mutable<RewardState>, currRealizedPower: bigint): void {
  st.epoch += 1n;
  st.thisEpochBaselinePower = baselinePowerFromPrev(st.thisEpochBaselinePower);
  const capped = st.thisEpochBaselinePower < currRealizedPower ? st.thisEpochBaselinePower : currRealizedPower;
  st.cumsumRealized += capped;
  while (st.cumsumRealized > st.cumsumBaseline) {
    st.effectiveNetworkTime += 1n;
    st.effectiveBaselinePower = baselinePowerFromPrev(st.effectiveBaselinePower);
    st.cumsumBaseline += st.effectiveBaselinePower;
  }
}

function thetaOf(st: RewardState): bigint {
  return computeRTheta(st.effectiveNetworkTime, st.effectiveBaselinePower, st.cumsumRealized, st.cumsumBaseline);
}

function advanceEpochWithReward(st: Mutable<RewardState>, currRealizedPower: bigint): void {
  const prevTheta = thetaOf(st);
  advanceEpoch(st, currRealizedPower);
  const currTheta = thetaOf(st);
  st.thisEpochReward = computeReward(st.epoch, prevTheta, currTheta, st.simpleTotal, st.baselineTotal);
}

/**
 * One epoch of baseline and realized-power bookkeeping without a reward, as done for null rounds
 * (state.rs `update_to_next_epoch`): epoch + 1; baseline grows one step; `cumsumRealized` gains
 * `min(baseline, currRealizedPower)`; then θ's ceiling advances while `cumsumRealized > cumsumBaseline`.
 */
export function updateToNextEpoch(state: RewardState, currRealizedPower: bigint): RewardState {
  const st = { ...state };
  advanceEpoch(st, currRealizedPower);
  return st;
}

/**
 * {@link updateToNextEpoch}, then `thisEpochReward = computeReward(epoch, θ before, θ after)`
 * (state.rs `update_to_next_epoch_with_reward`).
 */
export function updateToNextEpochWithReward(state: RewardState, currRealizedPower: bigint): RewardState {
  const st = { ...state };
  advanceEpochWithReward(st, currRealizedPower);
  return st;
}

/**
 * Feed `thisEpochReward` into the smoothed estimate with the default alpha and beta over `delta` epochs
 * (state.rs `update_smoothed_estimates`). `delta` must be non-zero.
 */
export function updateSmoothedEstimates(state: RewardState, delta: bigint): RewardState {
  return {
    ...state,
    thisEpochRewardSmoothed: nextEstimate(state.thisEpochRewardSmoothed, delta, state.thisEpochReward, DEFAULT_ALPHA, DEFAULT_BETA),
  };
}

/**
 * The state change of `UpdateNetworkKPI` (method 4) at `currEpoch` (lib.rs `update_network_kpi`):
 * catch up null rounds with {@link updateToNextEpoch} while `epoch < currEpoch`, then one
 * {@link updateToNextEpochWithReward} (so `epoch` ends at `currEpoch + 1` when the state was not ahead),
 * then smooth with `delta = new epoch − old epoch`. Every step uses the same `currRealizedPower`.
 */
export function updateNetworkKPI(state: RewardState, currEpoch: bigint, currRealizedPower: bigint): RewardState {
  const st = { ...state };
  const prev = st.epoch;
  while (st.epoch < currEpoch) advanceEpoch(st, currRealizedPower);
  advanceEpochWithReward(st, currRealizedPower);
  st.thisEpochRewardSmoothed = nextEstimate(st.thisEpochRewardSmoothed, st.epoch - prev, st.thisEpochReward, DEFAULT_ALPHA, DEFAULT_BETA);
  return st;
}

/**
 * The genesis state made by the reward actor's constructor (state.rs `State::new`, lib.rs `constructor`):
 * zeroed cumsums and θ, `effectiveBaselinePower = BASELINE_INITIAL_VALUE`,
 * `thisEpochBaselinePower = INIT_BASELINE_POWER`, `epoch = −1`, the initial smoothed estimate
 * (position 36.266260308195979333 FIL, velocity −109,897,758,509 atto per epoch, shifted into Q.128) and the
 * 330M / 770M totals; then one {@link updateToNextEpochWithReward}, which lands on epoch 0. The smoothed
 * estimate is not updated by the constructor.
 */
export function constructRewardState(currRealizedPower: bigint): RewardState {
  const st: Mutable<RewardState> = {
    cumsumBaseline: 0n,
    cumsumRealized: 0n,
    effectiveNetworkTime: 0n,
    effectiveBaselinePower: BASELINE_INITIAL_VALUE,
    thisEpochReward: 0n,
    thisEpochRewardSmoothed: newFilterEstimate(INITIAL_REWARD_POSITION_ESTIMATE, INITIAL_REWARD_VELOCITY_ESTIMATE),
    thisEpochBaselinePower: INIT_BASELINE_POWER,
    epoch: EPOCH_UNDEFINED,
    totalStoragePowerReward: 0n,
    simpleTotal: SIMPLE_TOTAL,
    baselineTotal: BASELINE_TOTAL,
  };
  advanceEpochWithReward(st, currRealizedPower);
  return st;
}

/**
 * The block reward for a block with `winCount` wins: `floor(thisEpochReward · winCount / 5)`
 * (lib.rs `award_block_reward`, before it is capped at the actor's balance).
 */
export function blockRewardForWinCount(thisEpochReward: bigint, winCount: bigint): bigint {
  return floorDiv(thisEpochReward * winCount, EXPECTED_LEADERS_PER_EPOCH);
}

/**
 * The reward state invariants of builtin-actors' `check_state_invariants` (`actors/reward/src/testing.rs`);
 * returns the violated ones as messages, empty when all hold.
 */
export function checkRewardStateInvariants(state: RewardState, priorEpoch: bigint, balance: bigint): string[] {
  const problems: string[] = [];
  if (state.totalStoragePowerReward + balance < STORAGE_MINING_ALLOCATION_CHECK) {
    problems.push(`reward given ${state.totalStoragePowerReward} + reward left ${balance} < storage mining allocation ${STORAGE_MINING_ALLOCATION_CHECK}`);
  }
  if (state.epoch !== priorEpoch + 1n) {
    problems.push(`reward state epoch ${state.epoch} does not match prior_epoch+1 ${priorEpoch + 1n}`);
  }
  if (state.effectiveNetworkTime > state.epoch) {
    problems.push(`effective network time ${state.effectiveNetworkTime} greater than state epoch ${state.epoch}`);
  }
  if (state.cumsumRealized > state.cumsumBaseline) {
    problems.push(`cumsum realized ${state.cumsumRealized} > cumsum baseline ${state.cumsumBaseline}`);
  }
  if (state.cumsumRealized < 0n) {
    problems.push(`cumsum realized negative (${state.cumsumRealized})`);
  }
  return problems;
}

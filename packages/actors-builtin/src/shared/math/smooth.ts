/**
 * The alpha-beta filter that smooths the reward actor's per-epoch reward and the power actor's QA power,
 * and the cumulative-ratio extrapolation the miner's pledge and fee formulas (BR(t)) use.
 *
 * Sources (facts and constants, not code): builtin-actors v18
 * `runtime/src/builtin/reward/smooth/alpha_beta_filter.rs` and `smooth_func.rs`.
 * All values are exact `bigint`; Q.128 means "scaled by 2^128" (see `fixed.ts` for the rounding rules).
 */

import { PRECISION, floorDiv, ln } from './fixed.js';

/**
 * A filter estimate: `[position, velocity]` in CBOR tuple order, both Q.128.
 * The position is the estimated value, the velocity its change per epoch.
 */
export interface FilterEstimate {
  readonly position: bigint;
  readonly velocity: bigint;
}

/** Filter gain on position, Q.128 (`smooth_func.rs` `DEFAULT_ALPHA`, about 9.25e-4). */
export const DEFAULT_ALPHA = 314760000000000000000000000000000000n;
/** Filter gain on velocity, Q.128 (`smooth_func.rs` `DEFAULT_BETA`, about 2.84e-7). */
export const DEFAULT_BETA = 96640100000000000000000000000000n;
/**
 * Threshold on the squared denominator velocity (Q.128) below which `extrapolatedCumSumOfRatio`
 * treats the denominator as constant (`smooth_func.rs` `EPSILON`, about 8.9e-16).
 */
export const EXTRAPOLATION_EPSILON = 302231454903657293676544n;

/** A filter estimate from Q.0 position and velocity (`FilterEstimate::new`: both shifted left by 128). */
export function newFilterEstimate(position: bigint, velocity: bigint): FilterEstimate {
  return { position: position << PRECISION, velocity: velocity << PRECISION };
}

/** The Q.0 position of an estimate (`FilterEstimate::estimate`: `position >> 128`, flooring). */
export function estimate(est: FilterEstimate): bigint {
  return est.position >> PRECISION;
}

/**
 * The position `delta` epochs ahead, in Q.256 (`FilterEstimate::extrapolate`):
 * `velocity * (delta << 128) + (position << 128)`.
 */
export function extrapolate(est: FilterEstimate, delta: bigint): bigint {
  return est.velocity * (delta << PRECISION) + (est.position << PRECISION);
}

/**
 * One step of the alpha-beta filter (`AlphaBetaFilter::next_estimate`).
 *
 * @param prev the previous estimate (Q.128)
 * @param delta epochs since `prev` was made; must be non-zero
 * @param observation the new Q.0 observation (e.g. this epoch's reward in attoFIL)
 * @returns the new estimate (Q.128)
 *
 * Position: predict `prev.position + (delta·velocity)` (the product shifted down by 128, flooring), then
 * add `alpha·residual >> 128`. Velocity: add `floor(residual·beta / (delta << 128))`.
 */
export function nextEstimate(
  prev: FilterEstimate,
  delta: bigint,
  observation: bigint,
  alpha: bigint = DEFAULT_ALPHA,
  beta: bigint = DEFAULT_BETA,
): FilterEstimate {
  const deltaT = delta << PRECISION;
  const predicted = ((deltaT * prev.velocity) >> PRECISION) + prev.position;
  const residual = (observation << PRECISION) - predicted;
  const position = predicted + ((alpha * residual) >> PRECISION);
  const velocity = floorDiv(residual * beta, deltaT) + prev.velocity;
  return { position, velocity };
}

/**
 * The filter as builtin-actors builds it (`AlphaBetaFilter::load(prev, alpha, beta)`), for callers that
 * prefer that shape. Note the Rust argument order of `nextEstimate`: observation first, then delta.
 */
export class AlphaBetaFilter {
  constructor(
    readonly prev: FilterEstimate,
    readonly alpha: bigint = DEFAULT_ALPHA,
    readonly beta: bigint = DEFAULT_BETA,
  ) {}

  static load(prev: FilterEstimate, alpha: bigint = DEFAULT_ALPHA, beta: bigint = DEFAULT_BETA): AlphaBetaFilter {
    return new AlphaBetaFilter(prev, alpha, beta);
  }

  nextEstimate(observation: bigint, epochDelta: bigint): FilterEstimate {
    return nextEstimate(this.prev, epochDelta, observation, this.alpha, this.beta);
  }
}

/**
 * The integral of `num(t) / denom(t)` over `[relativeStart, relativeStart + delta]` where both are
 * extrapolated linearly from their estimates; Q.128 (`smooth_func.rs` `extrapolated_cum_sum_of_ratio`).
 *
 * When the denominator moves (squared velocity, Q.128, above {@link EXTRAPOLATION_EPSILON}) the closed
 * form uses `ln`; otherwise the denominator is taken as constant and the numerator is evaluated at the
 * midpoint. Like the original it throws (division by zero) when the divisor is zero.
 */
export function extrapolatedCumSumOfRatio(
  delta: bigint,
  relativeStart: bigint,
  estNum: FilterEstimate,
  estDenom: FilterEstimate,
): bigint {
  const deltaT = delta << PRECISION;
  const t0 = relativeStart << PRECISION;
  const pos1 = estNum.position;
  const pos2 = estDenom.position;
  const velo1 = estNum.velocity;
  const velo2 = estDenom.velocity;

  const squaredVelo2 = (velo2 * velo2) >> PRECISION;

  if (squaredVelo2 > EXTRAPOLATION_EPSILON) {
    const x2aLin = ((velo2 * t0) >> PRECISION) + pos2;
    const x2bLin = ((velo2 * deltaT) >> PRECISION) + x2aLin;
    const x2a = ln(x2aLin);
    const x2b = ln(x2bLin);

    const m1 = ((x2b - x2a) * pos1 * velo2) >> PRECISION;
    const m2 = (((x2a - x2b) * pos2 + velo2 * deltaT) * velo1) >> PRECISION;
    return floorDiv(m2 + m1, squaredVelo2);
  }

  const halfDelta = deltaT >> 1n;
  const x1m = ((velo1 * (t0 + halfDelta)) >> PRECISION) + pos1;
  return floorDiv(x1m * deltaT, pos2);
}

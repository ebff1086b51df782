import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRECISION, Q128_ONE, floorDiv } from './fixed.js';
import {
  AlphaBetaFilter,
  DEFAULT_ALPHA,
  DEFAULT_BETA,
  EXTRAPOLATION_EPSILON,
  type FilterEstimate,
  estimate,
  extrapolate,
  extrapolatedCumSumOfRatio as ecsor,
  newFilterEstimate,
  nextEstimate,
} from './smooth.js';

const EPOCHS_IN_DAY = 2880n;
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

// --- helpers ported from the upstream tests (alpha_beta_filter.rs) -----------------------------------

/** |v1 − v2| / v1 in millionths, Q.0 (`per_million_error`). */
function perMillionError(v1: bigint, v2: bigint): bigint {
  const ratio = floorDiv((v1 - v2) << PRECISION, v1);
  return abs(ratio * (1_000_000n << PRECISION)) >> (2n * PRECISION);
}

/** Trapezoid sum of num/denom over `delta` epochs from t0, Q.128 (`iterative_cum_sum_of_ratio`). */
function iterativeCumSumOfRatio(num: FilterEstimate, denom: FilterEstimate, t0: bigint, delta: bigint): bigint {
  let ratio = 0n;
  for (let i = 0n; i < delta; i++) {
    const numEps = extrapolate(num, t0 + i); // Q.256
    const denomEps = extrapolate(denom, t0 + i) >> PRECISION; // Q.128
    let eps = floorDiv(numEps, denomEps); // Q.128
    if (i !== 0n && i !== delta - 1n) eps *= 2n;
    ratio += eps;
  }
  return floorDiv(ratio, 2n);
}

const ERR_BOUND = 350n;
function assertErrBound(num: FilterEstimate, denom: FilterEstimate, delta: bigint, t0: bigint): void {
  const analytic = ecsor(delta, t0, num, denom);
  const iterative = iterativeCumSumOfRatio(num, denom, t0, delta);
  expect(perMillionError(analytic, iterative) < ERR_BOUND).toBe(true);
}

/** BR(t) as the miner computes it (`actors/miner/src/monies.rs` `expected_reward_for_power`), test-only. */
function expectedRewardForPower(reward: FilterEstimate, power: FilterEstimate, qa: bigint, duration: bigint): bigint {
  if (estimate(power) === 0n) return estimate(reward);
  const br128 = qa * ecsor(duration, 0n, reward, power);
  const br = br128 >> PRECISION;
  return br > 0n ? br : 0n;
}

// ------------------------------------------------------------------------------------------------------

describe('FilterEstimate', () => {
  it('new shifts Q.0 into Q.128; estimate floors back', () => {
    const fe = newFilterEstimate(5n, -3n);
    expect(fe).toEqual({ position: 5n * Q128_ONE, velocity: -3n * Q128_ONE });
    expect(estimate(fe)).toBe(5n);
    expect(estimate({ position: -1n, velocity: 0n })).toBe(-1n); // floor, not truncation
    expect(estimate({ position: Q128_ONE - 1n, velocity: 0n })).toBe(0n);
  });

  it('extrapolate is (position + delta·velocity) in Q.256', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), fc.bigInt({ min: -(1n << 60n), max: 1n << 60n }), fc.bigInt({ min: 0n, max: 1n << 40n }), (p, v, d) => {
        expect(extrapolate(newFilterEstimate(p, v), d)).toBe((p + d * v) << (2n * PRECISION));
      }),
    );
  });

  it('has the real filter constants', () => {
    expect(DEFAULT_ALPHA).toBe(314760000000000000000000000000000000n);
    expect(DEFAULT_BETA).toBe(96640100000000000000000000000000n);
    expect(EXTRAPOLATION_EPSILON).toBe(302231454903657293676544n);
  });
});

describe('AlphaBetaFilter.nextEstimate', () => {
  // alpha_beta_filter.rs `rounding_issue`: the genesis reward estimate, one update over 3 epochs.
  const fe: FilterEstimate = {
    position: 12340768897043811082913117521041414330876498465539749838848n,
    velocity: -37396269384748225153347462373739139597454335279104n,
  };
  const want: FilterEstimate = {
    position: 12340768782449774548722755900999027209659079673176744001536n,
    velocity: -37396515542149801792802995707072472930787668612438n,
  };

  it('reproduces rounding_issue exactly', () => {
    expect(nextEstimate(fe, 3n, 36266252337034982540n)).toEqual(want);
  });

  it('the class form (Rust argument order) agrees', () => {
    expect(AlphaBetaFilter.load(fe, DEFAULT_ALPHA, DEFAULT_BETA).nextEstimate(36266252337034982540n, 3n)).toEqual(want);
    expect(new AlphaBetaFilter(fe).nextEstimate(36266252337034982540n, 3n)).toEqual(want);
  });

  it('a truncating velocity division would have been off by one here', () => {
    // The residual is negative, so floor and truncation differ; this is what rounding_issue guards.
    const deltaT = 3n << PRECISION;
    const predicted = ((deltaT * fe.velocity) >> PRECISION) + fe.position;
    const residual = (36266252337034982540n << PRECISION) - predicted;
    expect(residual < 0n).toBe(true);
    expect((residual * DEFAULT_BETA) / deltaT + fe.velocity).toBe(want.velocity + 1n);
  });

  it('a steady observation on a still estimate leaves it unchanged', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 100n), max: 1n << 100n }), fc.bigInt({ min: 1n, max: 1n << 20n }), (x, d) => {
        const still = newFilterEstimate(x, 0n);
        expect(nextEstimate(still, d, x)).toEqual(still);
      }),
    );
  });

  it('throws on a zero delta (Rust panics on division by zero)', () => {
    expect(() => nextEstimate(fe, 0n, 1n)).toThrow(RangeError);
  });
});

describe('extrapolatedCumSumOfRatio', () => {
  // alpha_beta_filter.rs `constant_estimate`
  it('constant_estimate', () => {
    const num = newFilterEstimate(4_000_000n, 0n);
    const den = newFilterEstimate(1n, 0n);
    const csr1 = ecsor(1000n, 0n, num, den) >> PRECISION;
    expect(csr1).toBe(4_000_000_000n);
    expect(ecsor(1000n, 10n ** 15n, num, den) >> PRECISION).toBe(csr1);

    const csrFrac = ecsor(100n, 0n, newFilterEstimate(10n ** 12n, 0n), newFilterEstimate(200n * 10n ** 12n, 0n));
    expect(csrFrac >> PRECISION).toBe(0n);
    expect((csrFrac * (10_000n << PRECISION)) >> (2n * PRECISION)).toBe(5000n);
    // our exact Q.128 value (cross-checked independently): exactly 1/2
    expect(csrFrac).toBe(Q128_ONE / 2n);
  });

  // alpha_beta_filter.rs `both_positive_velocity`
  it('both_positive_velocity', () => {
    const num = newFilterEstimate(111n, 12n);
    const den = newFilterEstimate(3456n, 8n);
    assertErrBound(num, den, 10_000n, 0n);
    expect(ecsor(10_000n, 0n, num, den)).toBe(4417142212803610380822249204603875445461932n);
  });

  // alpha_beta_filter.rs `flipped_signs`
  it('flipped_signs', () => {
    const num = newFilterEstimate(1_000_000n, -100n);
    const den = newFilterEstimate(70_000n, 1000n);
    assertErrBound(num, den, 100_000n, 0n);
    expect(ecsor(100_000n, 0n, num, den)).toBe(-913322674920922127713766381387049132955025n);
  });

  // alpha_beta_filter.rs `values_in_range`
  it('values_in_range', () => {
    const tensOfFil = 50n * 10n ** 18n;
    const slowMoney = newFilterEstimate(tensOfFil, 25n);
    const fastMoney = newFilterEstimate(tensOfFil, 100n);
    const tensOfEiBs = 10n ** 19n;
    const thousandsOfEiBs = 2n * 10n ** 22n;
    const oneBytePerEpoch = 1n;
    const tenPiBsPerDay = (10n * 2n ** 50n) / EPOCHS_IN_DAY;
    const oneEiBPerDay = 2n ** 60n / EPOCHS_IN_DAY;
    for (const pos of [tensOfEiBs, thousandsOfEiBs]) {
      for (const vel of [oneBytePerEpoch, tenPiBsPerDay, oneEiBPerDay]) {
        const power = newFilterEstimate(pos, vel);
        assertErrBound(slowMoney, power, EPOCHS_IN_DAY, 0n);
        assertErrBound(fastMoney, power, EPOCHS_IN_DAY, 0n);
      }
    }
  });

  it('uses the ln branch only when the squared denominator velocity exceeds EPSILON', () => {
    // EPSILON is 2^78. A denominator velocity v (Q.128) takes the ln branch iff (v² >> 128) > 2^78, i.e.
    // from v = 2^103 + 2^24 on. Below it the denominator is taken as constant: a still numerator then
    // gives exactly floor(delta·num / den).
    expect(EXTRAPOLATION_EPSILON).toBe(1n << 78n);
    const num = newFilterEstimate(7n, 0n);
    const den = (velocity: bigint): FilterEstimate => ({ position: 3n << PRECISION, velocity });
    const constant = floorDiv((7n << PRECISION) * (10n << PRECISION), 3n << PRECISION);
    expect(constant).toBe(7939921894821897480812074173407924933973n);
    expect(ecsor(10n, 0n, num, den(1n << 103n))).toBe(constant);
    expect(ecsor(10n, 0n, num, den((1n << 103n) + (1n << 24n) - 1n))).toBe(constant);
    // first velocity on the ln branch (value cross-checked independently)
    expect(ecsor(10n, 0n, num, den((1n << 103n) + (1n << 24n)))).toBe(7939921500441750120677498003324734595917n);
  });
});

describe('BR(t) built on extrapolatedCumSumOfRatio (miner tests)', () => {
  // actors/miner/src/internal_tests.rs `br_looks_right_in_plausible_sector_power_network_power_reward_range`
  it('br_looks_right_in_plausible_sector_power_network_power_reward_range', () => {
    const tensOfFil = 50n * 10n ** 18n;
    const reward = newFilterEstimate(tensOfFil, 0n);
    const smallPower = 32n << 30n;
    const hugePower = 1n << 60n;
    for (const network of [10n ** 18n * 10n, 10n ** 18n * 600n, 10n ** 18n * 20000n]) {
      const power = newFilterEstimate(network, 0n);
      for (const qa of [smallPower, hugePower]) {
        expect(expectedRewardForPower(reward, power, qa, EPOCHS_IN_DAY)).toBe(floorDiv(qa * EPOCHS_IN_DAY * tensOfFil, network));
      }
    }
  });

  // actors/miner/tests/monies_test.rs `negative_br_clamp`
  it('negative_br_clamp', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, -(1n << 10n));
    expect(extrapolate(power, 4n) < 1n << 10n).toBe(true);
    expect(expectedRewardForPower(reward, power, 1n << 36n, 4n)).toBe(0n);
  });

  // actors/miner/tests/expected_reward_for_power_clampted_at_atto_fil_test.rs (before the clamp at 1 atto)
  it('expected_zero_valued_br_clamped_at_1_attofil: zero QA power gives BR 0', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, 1n << 10n);
    expect(expectedRewardForPower(reward, power, 0n, 1n)).toBe(0n);
  });

  it('a zero network power estimate falls back to the reward estimate', () => {
    expect(expectedRewardForPower(newFilterEstimate(123n, 0n), newFilterEstimate(0n, 5n), 1n << 40n, 10n)).toBe(123n);
  });
});

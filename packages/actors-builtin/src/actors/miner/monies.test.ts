import { describe, expect, it } from 'vitest';
import { extrapolate, newFilterEstimate } from '../../shared/math/smooth.js';
import {
  BASE_PENALTY_FOR_DISPUTED_WINDOW_POST,
  CONTINUED_FAULT_PROJECTION_PERIOD,
  INITIAL_PLEDGE_MAX_PER_BYTE,
  INITIAL_PLEDGE_PROJECTION_PERIOD,
  INVALID_WINDOW_POST_PROJECTION_PERIOD,
  PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD,
  TERMINATION_LIFETIME_CAP,
  TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD,
  TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM,
  TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM,
  TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM,
  TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM,
  TERM_FEE_PLEDGE_MULTIPLE_DENOM,
  TERM_FEE_PLEDGE_MULTIPLE_NUM,
  consensusFaultPenalty,
  createMinerDeposit,
  expectedRewardForPower,
  expectedRewardForPowerClampedAtAttoFil,
  initialPledgeForPower,
  lockedRewardFromReward,
  maxTerminationFee,
  pledgePenaltyForContinuedFault,
  pledgePenaltyForInvalidWindowPoSt,
  pledgePenaltyForTermination,
  pledgePenaltyForTerminationLowerBound,
  preCommitDepositForPower,
  rewardForDisputedWindowPoSt,
} from './monies.js';
import { DEVNET_MINER_POLICY, EPOCHS_IN_DAY, MAINNET_MINER_POLICY, REWARD_VESTING_SPEC, rewardForConsensusSlashReport } from './policy.js';

const FIL = 10n ** 18n;
const abs = (x: bigint) => (x < 0n ? -x : x);

describe('constants (monies.rs)', () => {
  it('has the v18 values', () => {
    expect(PRE_COMMIT_DEPOSIT_PROJECTION_PERIOD).toBe(57_600n);
    expect(INITIAL_PLEDGE_PROJECTION_PERIOD).toBe(57_600n);
    expect(CONTINUED_FAULT_PROJECTION_PERIOD).toBe(10_108n);
    expect(INVALID_WINDOW_POST_PROJECTION_PERIOD).toBe(15_868n);
    expect(TERMINATION_PENALTY_LOWER_BOUND_PROJECTIONS_PERIOD).toBe(10_080n);
    expect(INITIAL_PLEDGE_MAX_PER_BYTE).toBe(29_103_830n); // floor(1e18 / 2^35)
  });
});

describe('expected reward for power (monies_test.rs, expected_reward_for_power_clampted_at_atto_fil_test.rs)', () => {
  // monies_test.rs `negative_br_clamp`
  it('clamps a negative BR at zero', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, -(1n << 10n));
    expect(extrapolate(power, 4n) < 1n << 10n).toBe(true);
    expect(expectedRewardForPower(reward, power, 1n << 36n, 4n)).toBe(0n);
  });

  // `expected_negative_value_br_clamped_at_1_atto_fil`
  it('the clamped variant returns 1 attoFIL for a negative BR', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, -(1n << 10n));
    expect(expectedRewardForPowerClampedAtAttoFil(reward, power, 1n << 36n, 4n)).toBe(1n);
  });

  // `expected_zero_valued_br_clamped_at_1_attofil`
  it('the clamped variant returns 1 attoFIL for zero power', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, 1n << 10n);
    expect(expectedRewardForPowerClampedAtAttoFil(reward, power, 0n, 1n)).toBe(1n);
  });

  it('is the reward estimate itself when the network power estimate is zero', () => {
    const reward = newFilterEstimate(10n * FIL, 0n);
    expect(expectedRewardForPower(reward, newFilterEstimate(0n, 0n), 1n << 40n, 57_600n)).toBe(10n * FIL);
  });

  // internal_tests.rs `br_looks_right_in_plausible_sector_power_network_power_reward_range`
  it('matches plain multiplication for constant estimates', () => {
    const tensOfFil = 50n * FIL;
    const rewardEst = newFilterEstimate(tensOfFil, 0n);
    const small = 32n << 30n;
    const huge = 1n << 60n;
    for (const network of [10n ** 18n * 10n, 10n ** 18n * 600n, 10n ** 18n * 20_000n]) {
      const powerEst = newFilterEstimate(network, 0n);
      expect(expectedRewardForPower(rewardEst, powerEst, small, EPOCHS_IN_DAY)).toBe((small * EPOCHS_IN_DAY * tensOfFil) / network);
      expect(expectedRewardForPower(rewardEst, powerEst, huge, EPOCHS_IN_DAY)).toBe((huge * EPOCHS_IN_DAY * tensOfFil) / network);
    }
  });
});

describe('fault and termination penalties', () => {
  // monies_test.rs `zero_power_means_zero_fault_penalty`
  it('zero power means zero fault penalty', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, 1n << 10n);
    expect(pledgePenaltyForContinuedFault(reward, power, 0n)).toBe(0n);
  });

  // monies_test.rs `aggregate_power_pledge_penalty_for_continued_fault` (FIP-0098)
  it('the fault fee of aggregate power is within 1 atto per sector of the sum', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, 1n << 10n);
    for (const n of [10n, 1000n]) {
      for (const qa of [1n << 6n, 1n << 36n, 1n << 50n]) {
        const aggregate = pledgePenaltyForContinuedFault(reward, power, qa * n);
        const individual = n * pledgePenaltyForContinuedFault(reward, power, qa);
        expect(aggregate > 0n).toBe(true);
        expect(abs(aggregate - individual) <= n).toBe(true);
      }
    }
  });

  // internal_tests.rs `declared_and_undeclared_fault_penalties_are_linear_over_sector_qa_power_term`
  it('fault penalties are linear in QA power up to rounding', () => {
    const reward = newFilterEstimate(100n << 53n, 0n);
    const power = newFilterEstimate(100n << 50n, 0n);
    const [a, b, cc] = [1n << 50n, 19n << 50n, 63n << 50n];
    for (const f of [pledgePenaltyForContinuedFault, pledgePenaltyForTerminationLowerBound]) {
      const diff = f(reward, power, a + b + cc) - (f(reward, power, a) + f(reward, power, b) + f(reward, power, cc));
      expect(diff >= 0n && diff < 3n).toBe(true);
    }
  });

  // pledge_penalty_for_termination.rs `when_sector_age_exceeds_cap_returns_percentage_of_initial_pledge`
  it('termination fee past the age cap is 8.5% of initial pledge', () => {
    const ip = 1n << 10n;
    const fee = pledgePenaltyForTermination(ip, (TERMINATION_LIFETIME_CAP + 1n) * EPOCHS_IN_DAY, 0n);
    expect(fee).toBe((TERM_FEE_PLEDGE_MULTIPLE_NUM * ip) / TERM_FEE_PLEDGE_MULTIPLE_DENOM);
    expect(fee).toBe(87n);
  });

  // `when_sector_age_below_cap_returns_percentage_of_initial_pledge_percentage`
  it('termination fee below the age cap scales with age', () => {
    const ip = 1n << 10n;
    const days = TERMINATION_LIFETIME_CAP / 2n;
    const fee = pledgePenaltyForTermination(ip, days * EPOCHS_IN_DAY, 0n);
    expect(fee).toBe((((TERM_FEE_PLEDGE_MULTIPLE_NUM * ip) / TERM_FEE_PLEDGE_MULTIPLE_DENOM) * days) / TERMINATION_LIFETIME_CAP);
    expect(fee).toBe(43n);
  });

  // `when_termination_fee_less_than_fault_fee_returns_multiple_of_fault_fee`
  it('termination fee is at least 105% of the fault fee', () => {
    const ip = 1n << 10n;
    const ff = 1n << 10n;
    const fee = pledgePenaltyForTermination(ip, (TERMINATION_LIFETIME_CAP + 1n) * EPOCHS_IN_DAY, ff);
    expect(fee).toBe((ff * TERM_FEE_MAX_FAULT_FEE_MULTIPLE_NUM) / TERM_FEE_MAX_FAULT_FEE_MULTIPLE_DENOM);
    expect(fee).toBe(1075n);
  });

  // `when_termination_fee_less_than_minimum_returns_minimum`
  it('termination fee is at least 2% of initial pledge', () => {
    const ip = 1n << 10n;
    const fee = pledgePenaltyForTermination(ip, 0n, 0n);
    expect(fee).toBe((ip * TERM_FEE_MIN_PLEDGE_MULTIPLE_NUM) / TERM_FEE_MIN_PLEDGE_MULTIPLE_DENOM);
    expect(fee).toBe(20n);
  });

  it('MaxTerminationFee is the fee at age 140 days', () => {
    const reward = newFilterEstimate(1n << 50n, 0n);
    const power = newFilterEstimate(1n << 10n, 1n << 10n);
    const ff = pledgePenaltyForContinuedFault(reward, power, 1n << 36n);
    expect(maxTerminationFee(reward, power, 1n << 36n, 10n * FIL)).toBe(pledgePenaltyForTermination(10n * FIL, 140n * 2880n, ff));
    // with no fault fee it is 8.5% of the pledge
    expect(maxTerminationFee(reward, newFilterEstimate(1n << 60n, 0n), 0n, 10n * FIL)).toBe(850_000_000_000_000_000n);
  });

  it('invalid Window PoSt penalty is BR(15868) plus 20 FIL', () => {
    const reward = newFilterEstimate(50n * FIL, 0n);
    const power = newFilterEstimate(1n << 60n, 0n);
    const qa = 32n << 30n;
    expect(pledgePenaltyForInvalidWindowPoSt(reward, power, qa)).toBe((qa * 15_868n * 50n * FIL) / (1n << 60n) + BASE_PENALTY_FOR_DISPUTED_WINDOW_POST);
    expect(rewardForDisputedWindowPoSt(13, { raw: 1n, qa: 1n })).toBe(4n * FIL);
  });
});

describe('pre-commit deposit and initial pledge', () => {
  const zeroReward = newFilterEstimate(0n, 0n);
  const power = newFilterEstimate(1n << 10n, 1n << 10n);
  const qa = 1n << 36n;

  // precommit_deposit_and_initial_pledge_positive_test.rs `initial_pledge_clamped_at_one_attofil`
  it('initial pledge is clamped at 1 attoFIL', () => {
    expect(initialPledgeForPower(qa, 1n << 10n, zeroReward, power, 0n, 0n, 0n)).toBe(1n);
  });

  // `precommit_deposit_is_clamped_at_one_attofil`
  it('pre-commit deposit is clamped at 1 attoFIL', () => {
    expect(preCommitDepositForPower(zeroReward, power, qa)).toBe(1n);
  });

  // fip0081_initial_pledge.rs: qa 2^36, baseline 2^37, network 2^10, circulating supply 1 FIL
  const ip = (epochsSinceRampStart: bigint, rampDuration: bigint) => initialPledgeForPower(qa, 1n << 37n, zeroReward, power, FIL, epochsSinceRampStart, rampDuration);
  const expected = (tenThousandths: bigint) => 1n + (tenThousandths * FIL) / 10_000n;

  it.each([
    ['initial_pledge_pre_ramp_negative', -100n, 100n, 1500n],
    ['initial_pledge_zero_ramp_duration', 0n, 0n, 1950n],
    ['initial_pledge_zero_ramp_duration (after start)', 10n, 0n, 1950n],
    ['initial_pledge_pre_ramp', 0n, 100n, 1500n],
    ['initial_pledge_on_ramp_mid', 50n, 100n, 1725n],
    ['initial_pledge_after_ramp', 150n, 100n, 1950n],
    ['initial_pledge_on_ramp_early', 10n, 100n, 1545n],
    ['initial_pledge_on_ramp_step', 1n, 10n, 1545n],
    ['initial_pledge_ramp_edges (before)', -1n, 10n, 1500n],
    ['initial_pledge_ramp_edges (at)', 0n, 10n, 1500n],
    ['initial_pledge_ramp_edges (on)', 1n, 10n, 1545n],
    ['initial_pledge_post_ramp', 500n, 100n, 1950n],
  ])('%s', (_name, since, duration, tenThousandths) => {
    expect(ip(since, duration)).toBe(expected(tenThousandths));
  });

  it('caps the pledge at 1 FIL per 32 GiB of QA power', () => {
    // a huge circulating supply and a tiny network: the nominal pledge exceeds the cap
    const got = initialPledgeForPower(32n << 30n, 0n, zeroReward, newFilterEstimate(1n, 0n), 10n ** 30n, 0n, 0n);
    expect(got).toBe(INITIAL_PLEDGE_MAX_PER_BYTE * (32n << 30n));
    expect(got).toBe(999_999_984_306_749_440n); // 29103830 × 2^35
  });

  it('throws where Rust panics: every power in a denominator is zero', () => {
    expect(() => initialPledgeForPower(0n, 0n, zeroReward, newFilterEstimate(0n, 0n), FIL, 0n, 0n)).toThrow(RangeError);
  });

  // util.rs `create_miner_deposit_for_test` as used by miner_actor_test_construction.rs: baseline 2^50,
  // reward estimate 10 FIL, default (zero) power estimate, circulating supply 0 ⇒ the deposit is BR = 10 FIL.
  it('create-miner deposit (FIP-0077)', () => {
    const inputs = {
      networkQap: newFilterEstimate(0n, 0n),
      networkBaseline: 1n << 50n,
      circulatingSupply: 0n,
      epochReward: newFilterEstimate(10n * FIL, 0n),
      epochsSinceRampStart: 0n,
      rampDurationEpochs: 0n,
    };
    expect(createMinerDeposit(MAINNET_MINER_POLICY, inputs)).toBe(10n * FIL);
    // with circulating supply, only the pledge share of 1 TiB counts (γ = 700 after an instant ramp)
    const withSupply = { ...inputs, circulatingSupply: 500_000n * FIL, networkQap: newFilterEstimate(1n << 60n, 0n) };
    const tib = 1n << 40n;
    const lock = 500_000n * FIL * 3n;
    const base = (tib * 57_600n * 10n * FIL) >> 60n; // BR(20 days) at a constant ratio: exact here
    const additional = (700n * lock * tib) / ((1n << 60n) * 10n * 1000n) + (300n * lock * tib) / ((1n << 60n) * 10n * 1000n);
    expect(createMinerDeposit(MAINNET_MINER_POLICY, withSupply)).toBe(base + additional);
    // devnet: 204 bytes of deposit power, so the 1-FIL-per-32GiB cap binds: 29103830 × 204
    expect(createMinerDeposit(DEVNET_MINER_POLICY, inputs)).toBe(5_937_181_320n);
  });
});

describe('consensus faults and rewards', () => {
  it('consensus fault penalty is 5 × reward / 5', () => {
    expect(consensusFaultPenalty(1_000_003n)).toBe(1_000_003n);
    expect(consensusFaultPenalty(7n)).toBe(7n);
  });

  it('reporter reward is reward / 20', () => {
    expect(rewardForConsensusSlashReport(1_000_000n)).toBe(50_000n);
    expect(rewardForConsensusSlashReport(39n)).toBe(1n);
  });

  // apply_rewards.rs `funds_are_locked`: a reward of 1,000,000 locks 750,000
  it('locks 75% of a reward on the reward vesting spec', () => {
    expect(lockedRewardFromReward(1_000_000n)).toEqual({ lockAmount: 750_000n, spec: REWARD_VESTING_SPEC });
    expect(lockedRewardFromReward(3n).lockAmount).toBe(2n);
  });
});

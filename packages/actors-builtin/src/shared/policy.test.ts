import { describe, expect, it } from 'vitest';
import { DEVNET_POLICY, InvalidPolicyError, MAINNET_POLICY, definePolicy } from './policy.js';

describe('network policy', () => {
  it('has the real mainnet values and the devnet profile', () => {
    expect(MAINNET_POLICY.minimumConsensusPower).toBe(10n << 40n);
    expect(MAINNET_POLICY.wpostProvingPeriod).toBe(2880n);
    expect(MAINNET_POLICY.dealMinDuration).toBe(518400n);
    expect(DEVNET_POLICY.minimumConsensusPower).toBe(2048n);
    expect(Object.isFrozen(MAINNET_POLICY)).toBe(true);
  });

  it('validates custom policies', () => {
    const fast = definePolicy(DEVNET_POLICY, { preCommitChallengeDelay: 1n, name: 'fast' });
    expect(fast.preCommitChallengeDelay).toBe(1n);
    expect(fast.name).toBe('fast');
    expect(() => definePolicy(DEVNET_POLICY, { wpostChallengeWindow: 7n })).toThrow(InvalidPolicyError);
    expect(() => definePolicy(DEVNET_POLICY, { dealMinDuration: 10n, dealMaxDuration: 5n })).toThrow(/deal duration/);
    expect(() => definePolicy(MAINNET_POLICY, { minimumConsensusPower: -1n })).toThrow(/minimumConsensusPower/);
  });
});

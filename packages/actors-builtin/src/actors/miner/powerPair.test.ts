import { describe, expect, it } from 'vitest';
import { encodeWith, decodeWith } from 'fvm-sim';
import { PowerPair } from './types.js';
import * as pp from './powerPair.js';
import { POWER_PAIR_ZERO, powerPair, powerPairAdd, powerPairEquals, powerPairIsZero, powerPairNeg, powerPairSub, powerPairZero } from './powerPair.js';

describe('PowerPair helpers', () => {
  it('adds, subtracts and negates component-wise without mutating', () => {
    const a = powerPair(10n, 25n);
    const b = powerPair(3n, 40n);
    expect(powerPairAdd(a, b)).toEqual({ raw: 13n, qa: 65n });
    expect(powerPairSub(a, b)).toEqual({ raw: 7n, qa: -15n });
    expect(powerPairNeg(a)).toEqual({ raw: -10n, qa: -25n });
    expect(pp.mul(a, 3n)).toEqual({ raw: 30n, qa: 75n });
    expect(a).toEqual({ raw: 10n, qa: 25n });
    expect(b).toEqual({ raw: 3n, qa: 40n });
  });

  it('isZero needs both components zero; equals compares both', () => {
    expect(powerPairIsZero(powerPairZero())).toBe(true);
    expect(powerPairIsZero(POWER_PAIR_ZERO)).toBe(true);
    expect(powerPairIsZero(powerPair(0n, 1n))).toBe(false);
    expect(powerPairIsZero(powerPair(-1n, 0n))).toBe(false);
    expect(powerPairEquals(powerPair(1n, 2n), powerPair(1n, 2n))).toBe(true);
    expect(powerPairEquals(powerPair(1n, 2n), powerPair(1n, 3n))).toBe(false);
    expect(powerPairEquals(powerPair(2n, 2n), powerPair(1n, 2n))).toBe(false);
    expect(pp.equals(pp.add(pp.ZERO, powerPair(5n, 6n)), powerPair(5n, 6n))).toBe(true);
  });

  it('zero() returns a fresh object and ZERO is frozen', () => {
    const z = powerPairZero();
    z.raw = 5n;
    expect(powerPairZero()).toEqual({ raw: 0n, qa: 0n });
    expect(Object.isFrozen(POWER_PAIR_ZERO)).toBe(true);
  });

  it('round-trips through the PowerPair codec', () => {
    const v = powerPair(34359738368n, 343597383680n);
    expect(decodeWith(PowerPair, encodeWith(PowerPair, v))).toEqual(v);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXP_DENO_COEF,
  EXP_NUM_COEF,
  LN_2,
  PRECISION,
  Q128_ONE,
  bitLength,
  expneg,
  floorDiv,
  fromQ128,
  ln,
  polyParse,
  polyval,
  toQ128,
  truncDiv,
} from './fixed.js';

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

describe('integer semantics', () => {
  it('Q128_ONE is 2^128', () => {
    expect(PRECISION).toBe(128n);
    expect(Q128_ONE).toBe(340282366920938463463374607431768211456n);
    expect(toQ128(3n)).toBe(3n * Q128_ONE);
    expect(fromQ128(3n * Q128_ONE + 5n)).toBe(3n);
  });

  // alpha_beta_filter.rs `rounding`: the smoothing code assumes floor division.
  it('floorDiv floors like div_floor (alpha_beta_filter.rs rounding)', () => {
    expect(floorDiv(-100n, 3n)).toBe(-34n);
    expect(floorDiv(200n, 3n)).toBe(66n);
    expect(floorDiv(100n, -3n)).toBe(-34n);
    expect(floorDiv(-99n, 3n)).toBe(-33n);
    expect(truncDiv(-100n, 3n)).toBe(-33n);
    expect(() => floorDiv(1n, 0n)).toThrow(RangeError);
  });

  it('floorDiv satisfies a = q·b + r with r of the sign of b and |r| < |b|', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt().filter((b) => b !== 0n), (a, b) => {
        const q = floorDiv(a, b);
        const r = a - q * b;
        expect(abs(r) < abs(b)).toBe(true);
        expect(r === 0n || r < 0n === b < 0n).toBe(true);
      }),
    );
  });

  it('>> on a negative bigint floors, as num-bigint does', () => {
    expect(-1n >> 1n).toBe(-1n);
    expect(-(Q128_ONE + 1n) >> PRECISION).toBe(-2n);
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 400n), max: 1n << 400n }), (x) => {
        expect(x >> PRECISION).toBe(floorDiv(x, Q128_ONE));
      }),
    );
  });

  it('bitLength counts the bits of |x| (num-bigint bits())', () => {
    expect(bitLength(0n)).toBe(0n);
    expect(bitLength(1n)).toBe(1n);
    expect(bitLength(-1n)).toBe(1n);
    expect(bitLength(Q128_ONE)).toBe(129n);
    expect(bitLength(Q128_ONE - 1n)).toBe(128n);
    expect(bitLength(-(Q128_ONE * 2n))).toBe(130n);
  });
});

describe('polyval', () => {
  it('evaluates highest-order first in Q.128', () => {
    // 1·x² + 2·x + 3 at x = 2 → 11
    const p = [1n, 2n, 3n].map(toQ128);
    expect(polyval(p, toQ128(2n))).toBe(toQ128(11n));
    // a constant polynomial
    expect(polyval([toQ128(7n)], 12345n)).toBe(toQ128(7n));
    expect(polyval([], 1n)).toBe(0n);
  });

  it('floors each step: [-1, 0] at raw 1 gives -1, not 0', () => {
    // acc = -1; then ((-1·1) >> 128) + 0 = -1 (a truncating shift would give 0)
    expect(polyval([-1n, 0n], 1n)).toBe(-1n);
    // [1, 0] at raw 1 → (1 >> 128) = 0
    expect(polyval([1n, 0n], 1n)).toBe(0n);
  });

  it('polyParse reads signed decimals and rejects junk', () => {
    expect(polyParse(['-12', '34', '+5'])).toEqual([-12n, 34n, 5n]);
    expect(() => polyParse(['1.5'])).toThrow(SyntaxError);
    expect(() => polyParse([''])).toThrow(SyntaxError);
  });
});

describe('ln', () => {
  // alpha_beta_filter.rs `test_natural_log`: inputs and expected outputs, compared after `>> 128`.
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['340282366920938463463374607431768211456', '0'],
    ['924990000000000000000000000000000000000', '340282366920938463463374607431768211456'],
    ['34028236692093846346337460743176821145600000000000000000000', '15670582109617661336106769654068947397831'],
    ['6805647338418769269267492148635364229120000000000000000000000', '17473506083804940763855390762239996622013'],
    ['204169000000000000000000000000000000', '-2524410000000000000000000000000000000000'],
    ['34028236692093846346337460743', '-7835291054808830668053384827034473698915'],
  ];

  it('matches test_natural_log after >> 128', () => {
    for (const [z, want] of cases) expect(ln(BigInt(z)) >> PRECISION).toBe(BigInt(want) >> PRECISION);
    expect(cases.map(([z]) => ln(BigInt(z)) >> PRECISION)).toEqual([0n, 1n, 46n, 51n, -8n, -24n]);
  });

  it('gives these exact Q.128 values for the same inputs', () => {
    // Our own full-precision results (cross-checked with an independent big-integer evaluation).
    expect(cases.map(([z]) => ln(BigInt(z)))).toEqual([
      878n,
      340284804280443304164293247058531330872n,
      15670582109617661334887667755326480932333n,
      17473506083804940761941523871902574111299n,
      -2524412969036597619420532515031224429582n,
      -7835291054808830682858417768212398378565n,
    ]);
  });

  it('ln(2^n) = n·LN_2 + ln(1) exactly, since the mantissa is exactly 1', () => {
    const lnOne = ln(Q128_ONE);
    expect(lnOne).toBe(878n);
    fc.assert(
      fc.property(fc.integer({ min: -128, max: 512 }), (n) => {
        expect(ln(1n << (PRECISION + BigInt(n)))).toBe(BigInt(n) * LN_2 + lnOne);
      }),
    );
  });

  it('inverts expneg to within 1e-15 on [0, 1.7]', () => {
    const tol = Q128_ONE / 10n ** 15n;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (17n * Q128_ONE) / 10n }), (x) => {
        expect(abs(ln(expneg(x)) + x) < tol).toBe(true);
      }),
    );
  });
});

describe('expneg', () => {
  it('has the coefficient tables of expneg.rs', () => {
    expect(EXP_NUM_COEF.length).toBe(8);
    expect(EXP_DENO_COEF.length).toBe(14);
    expect(EXP_NUM_COEF[0]).toBe(-648770010757830093818553637600n);
    expect(EXP_NUM_COEF[7]).toBe(Q128_ONE);
    expect(EXP_DENO_COEF[0]).toBe(1225524182432722209606361n);
    expect(EXP_DENO_COEF[13]).toBe(Q128_ONE);
  });

  it('e^0 = 1 exactly', () => {
    expect(expneg(0n)).toBe(Q128_ONE);
  });

  it('gives these exact values', () => {
    // Our own results, cross-checked with an independent big-integer evaluation.
    expect(expneg(LN_2)).toBe(170141183460469231731687303714807240822n);
    expect(expneg(Q128_ONE)).toBe(125182886983370532117250726296964572306n);
    expect(expneg(5n * Q128_ONE)).toBe(2292804553034967735506083028203095447n);
  });

  it('e^-ln2 is 1/2 within the documented error 3.4e-30 on [0, 1.725)', () => {
    const bound = (Q128_ONE * 34n) / 10n ** 31n;
    expect(abs(expneg(LN_2) - Q128_ONE / 2n) < bound).toBe(true);
  });

  it('e^-a · e^-b = e^-(a+b) within 1e-29 for a + b < 1.7', () => {
    const bound = Q128_ONE / 10n ** 29n;
    const arb = fc.bigInt({ min: 0n, max: (85n * Q128_ONE) / 100n });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        expect(abs(((expneg(a) * expneg(b)) >> PRECISION) - expneg(a + b)) < bound).toBe(true);
      }),
    );
  });

  it('decreases on [0, 5] over steps of at least 1e-6', () => {
    // Steps far larger than the approximation error (4.6e-15 there), so rounding cannot reorder them.
    const step = fc.bigInt({ min: Q128_ONE / 10n ** 6n, max: Q128_ONE });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 4n * Q128_ONE }), step, (x, d) => {
        expect(expneg(x + d) < expneg(x)).toBe(true);
      }),
    );
  });
});

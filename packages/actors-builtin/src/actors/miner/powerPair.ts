/**
 * Arithmetic on {@link PowerPair} `{raw, qa}` values (builtin-actors v18 partition_state.rs `impl PowerPair`,
 * its `Add`/`Sub`/`Neg` impls). Every function returns a fresh object and never mutates its arguments, so
 * callers write `p.livePower = powerPairAdd(p.livePower, x)` where Rust writes `self.live_power += &x`.
 */

import type { PowerPair } from './types.js';

export type { PowerPair } from './types.js';

/** A fresh `{raw: 0n, qa: 0n}` (`PowerPair::zero()`). */
export function powerPairZero(): PowerPair {
  return { raw: 0n, qa: 0n };
}

/** A frozen zero pair, for comparisons and defaults that are never mutated. */
export const POWER_PAIR_ZERO: Readonly<PowerPair> = Object.freeze({ raw: 0n, qa: 0n });

/** `PowerPair::new(raw, qa)`. */
export function powerPair(raw: bigint, qa: bigint): PowerPair {
  return { raw, qa };
}

/** `a + b`. */
export function powerPairAdd(a: Readonly<PowerPair>, b: Readonly<PowerPair>): PowerPair {
  return { raw: a.raw + b.raw, qa: a.qa + b.qa };
}

/** `a - b` (may go negative, as in Rust). */
export function powerPairSub(a: Readonly<PowerPair>, b: Readonly<PowerPair>): PowerPair {
  return { raw: a.raw - b.raw, qa: a.qa - b.qa };
}

/** `-a`. */
export function powerPairNeg(a: Readonly<PowerPair>): PowerPair {
  return { raw: -a.raw, qa: -a.qa };
}

/** `a * k` for a scalar (convenience for tests and fixtures; Rust has no such operator). */
export function powerPairMul(a: Readonly<PowerPair>, k: bigint): PowerPair {
  return { raw: a.raw * k, qa: a.qa * k };
}

/** `PowerPair::is_zero()`: both components zero. */
export function powerPairIsZero(a: Readonly<PowerPair>): boolean {
  return a.raw === 0n && a.qa === 0n;
}

/** `a == b` (derived `PartialEq`). */
export function powerPairEquals(a: Readonly<PowerPair>, b: Readonly<PowerPair>): boolean {
  return a.raw === b.raw && a.qa === b.qa;
}

/** A copy (`clone()`). */
export function powerPairClone(a: Readonly<PowerPair>): PowerPair {
  return { raw: a.raw, qa: a.qa };
}

/** Short aliases, for `import * as pp from './powerPair.js'` style: `pp.add(a, b)`. */
export {
  powerPairAdd as add,
  powerPairSub as sub,
  powerPairNeg as neg,
  powerPairMul as mul,
  powerPairIsZero as isZero,
  powerPairEquals as equals,
  powerPairClone as clone,
  powerPairZero as zero,
  POWER_PAIR_ZERO as ZERO,
};

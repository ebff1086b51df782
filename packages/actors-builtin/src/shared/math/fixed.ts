/**
 * Q.128 fixed-point arithmetic over `bigint`, bit-exact with builtin-actors v18.
 *
 * Sources (facts and constants, not code): `runtime/src/builtin/reward/math.rs` (PRECISION, poly_val),
 * `runtime/src/builtin/reward/smooth/smooth_func.rs` (ln and its coefficients, LN_2) and
 * `actors/reward/src/expneg.rs` (expneg and its coefficients).
 *
 * A Q.128 number `q` stands for the rational `q / 2^128`.
 *
 * Rounding rules, which decide bit-exactness:
 * - num-bigint's `>>` on a negative `BigInt` rounds toward negative infinity, like an arithmetic shift.
 *   JavaScript's `bigint >> n` does the same (`-1n >> 1n === -1n`), so `>>` is used as is.
 * - builtin-actors divides with `Integer::div_floor` (floor) in every place ported here. JavaScript's
 *   `bigint / bigint` truncates toward zero instead, so use {@link floorDiv} wherever Rust says `div_floor`,
 *   and {@link truncDiv} (plain `/`) only where Rust uses the `/` operator on a `BigInt`.
 */

/** Number of fractional bits of the Q.128 format (`math.rs` `PRECISION = 128`). */
export const PRECISION = 128n;

/** 1.0 in Q.128. */
export const Q128_ONE = 1n << PRECISION;

/** Floor division (num-integer `div_floor`): rounds toward negative infinity. Throws on a zero divisor. */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('floorDiv: division by zero');
  const q = a / b;
  // Same signs: truncation is the floor (the common case, one division and no remainder).
  if (a < 0n === b < 0n) return q;
  // `/` truncated toward zero; step down once when the exact quotient was negative and not whole.
  return q * b !== a ? q - 1n : q;
}

/** Truncating division (Rust `BigInt / BigInt`): rounds toward zero. Throws on a zero divisor. */
export function truncDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError('truncDiv: division by zero');
  return a / b;
}

/** Number of bits of |x| (num-bigint `BigInt::bits`); 0 for 0. */
export function bitLength(x: bigint): bigint {
  const m = x < 0n ? -x : x;
  if (m === 0n) return 0n;
  return BigInt(m.toString(2).length);
}

/** An integer (Q.0) as Q.128. */
export function toQ128(x: bigint): bigint {
  return x << PRECISION;
}

/** The integer part of a Q.128 value, rounded toward negative infinity (Rust `x >> PRECISION`). */
export function fromQ128(q: bigint): bigint {
  return q >> PRECISION;
}

/** Parse decimal coefficient strings (`math.rs` `poly_parse`). Throws on a malformed string. */
export function polyParse(coefs: readonly string[]): bigint[] {
  return coefs.map((s) => {
    if (!/^[+-]?\d+$/.test(s)) throw new SyntaxError(`polyParse: not an integer: ${JSON.stringify(s)}`);
    return BigInt(s);
  });
}

/**
 * Horner evaluation of a polynomial with Q.128 coefficients (highest order first) at Q.128 `x`
 * (`math.rs` `poly_val`): each step is `acc = ((acc * x) >> 128) + c`, the shift flooring.
 */
export function polyval(coefs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (const c of coefs) acc = ((acc * x) >> PRECISION) + c;
  return acc;
}

// ----------------------------------------------------------------------------------------------
// Natural logarithm (smooth_func.rs)

/** ln(2) in Q.128 (`smooth_func.rs` `LN_2`). */
export const LN_2 = 235865763225513294137944142764154484399n;

/** Numerator coefficients of the rational approximation of ln on [1, 2] (`smooth_func.rs` `NUM`). */
export const LN_NUM_COEF: readonly bigint[] = polyParse([
  '261417938209272870992496419296200268025',
  '7266615505142943436908456158054846846897',
  '32458783941900493142649393804518050491988',
  '17078670566130897220338060387082146864806',
  '-35150353308172866634071793531642638290419',
  '-20351202052858059355702509232125230498980',
  '-1563932590352680681114104005183375350999',
]);

/** Denominator coefficients of the rational approximation of ln on [1, 2] (`smooth_func.rs` `DENOM`). */
export const LN_DENOM_COEF: readonly bigint[] = polyParse([
  '49928077726659937662124949977867279384',
  '2508163877009111928787629628566491583994',
  '21757751789594546643737445330202599887121',
  '53400635271583923415775576342898617051826',
  '41248834748603606604000911015235164348839',
  '9015227820322455780436733526367238305537',
  '340282366920938463463374607431768211456',
]);

/** ln(x) for Q.128 x in [1, 2]; output Q.128 (`smooth_func.rs` `ln_between_one_and_two`). */
export function lnBetweenOneAndTwo(x: bigint): bigint {
  const num = polyval(LN_NUM_COEF, x) << PRECISION;
  const denom = polyval(LN_DENOM_COEF, x);
  return floorDiv(num, denom);
}

/**
 * Natural log of a Q.128 value; output Q.128 (`smooth_func.rs` `ln`).
 *
 * Normalises z to [1, 2) by a shift of k = bits(z) - 1 - 128, then adds k·ln2. Like the original it
 * does not reject z ≤ 0: the bit length is that of |z| and the result is whatever the polynomials give.
 */
export function ln(z: bigint): bigint {
  const k = bitLength(z) - 1n - PRECISION;
  const x = k > 0n ? z >> k : z << -k;
  return k * LN_2 + lnBetweenOneAndTwo(x);
}

// ----------------------------------------------------------------------------------------------
// e^-x (actors/reward/src/expneg.rs)

/** Numerator coefficients of expneg's rational approximation (`expneg.rs` `EXP_NUM_COEF`). */
export const EXP_NUM_COEF: readonly bigint[] = polyParse([
  '-648770010757830093818553637600',
  '67469480939593786226847644286976',
  '-3197587544499098424029388939001856',
  '89244641121992890118377641805348864',
  '-1579656163641440567800982336819953664',
  '17685496037279256458459817590917169152',
  '-115682590513835356866803355398940131328',
  '340282366920938463463374607431768211456',
]);

/** Denominator coefficients of expneg's rational approximation (`expneg.rs` `EXP_DENO_COEF`). */
export const EXP_DENO_COEF: readonly bigint[] = polyParse([
  '1225524182432722209606361',
  '114095592300906098243859450',
  '5665570424063336070530214243',
  '194450132448609991765137938448',
  '5068267641632683791026134915072',
  '104716890604972796896895427629056',
  '1748338658439454459487681798864896',
  '23704654329841312470660182937960448',
  '259380097567996910282699886670381056',
  '2250336698853390384720606936038375424',
  '14978272436876548034486263159246028800',
  '72144088983913131323343765784380833792',
  '224599776407103106596571252037123047424',
  '340282366920938463463374607431768211456',
]);

/**
 * e^(-x) for Q.128 x; output Q.128 (`expneg.rs` `expneg`): `(num << 128) div_floor deno`.
 * Upstream documents a relative error below 3.4e-30 on [0, 1.725) and below 4.6e-15 on [0, 5).
 */
export function expneg(x: bigint): bigint {
  const num = polyval(EXP_NUM_COEF, x);
  const deno = polyval(EXP_DENO_COEF, x);
  return floorDiv(num << PRECISION, deno);
}

import { FvmSimError } from '../errors/base.js';
import { splitBigInt, writeSplitBigInt } from './bigintBytes.js';

/** An amount of FIL in attoFIL (10^-18 FIL). */
export type TokenAmount = bigint;

/** attoFIL per FIL. */
export const ONE_FIL = 10n ** 18n;
/** The total FIL supply: 2 billion FIL. */
export const TOTAL_FILECOIN = 2_000_000_000n * ONE_FIL;

/** Thrown for malformed amounts (FIL strings, BigInt bytes). */
export class TokenError extends FvmSimError {
  constructor(message: string) {
    super('TOKEN', message);
  }
}

/**
 * Parses a decimal FIL amount exactly into attoFIL.
 *
 * @example
 * ```ts
 * FIL('1.5') // 1500000000000000000n
 * FIL(2n)    // 2000000000000000000n
 * ```
 * @throws {@link TokenError} for more than 18 decimals or anything that is not a decimal number.
 */
export function FIL(amount: string | bigint | number): TokenAmount {
  if (typeof amount === 'bigint') return amount * ONE_FIL;
  if (typeof amount === 'number') {
    if (!Number.isSafeInteger(amount)) throw new TokenError(`FIL(${amount}): pass fractional amounts as a string, e.g. FIL('0.5')`);
    return BigInt(amount) * ONE_FIL;
  }
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (m === null) throw new TokenError(`'${amount}' is not a decimal FIL amount (expected e.g. '1.5')`);
  const frac = m[3] ?? '';
  if (frac.length > 18) throw new TokenError(`'${amount}' has more than 18 decimals: FIL is divisible to 10^-18 only`);
  const v = BigInt(m[2]!) * ONE_FIL + BigInt((frac + '0'.repeat(18)).slice(0, 18));
  return m[1] ? -v : v;
}

/** Identity helper that documents an attoFIL literal. */
export function attoFIL(amount: bigint): TokenAmount {
  return amount;
}

/**
 * Formats attoFIL as an exact decimal FIL string, trailing zeros trimmed.
 *
 * @example
 * ```ts
 * formatFIL(1500000000000000000n)               // '1.5'
 * formatFIL(1n, { unit: true })                  // '0.000000000000000001 FIL'
 * ```
 */
export function formatFIL(amount: TokenAmount, opts: { unit?: boolean } = {}): string {
  const neg = amount < 0n;
  const abs = neg ? -amount : amount;
  const whole = abs / ONE_FIL;
  const frac = (abs % ONE_FIL).toString().padStart(18, '0').replace(/0+$/, '');
  const s = `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
  return opts.unit ? `${s} FIL` : s;
}

/**
 * The Filecoin BigInt byte form: empty for zero, else a sign byte (0 positive, 1 negative)
 * followed by the big-endian magnitude.
 */
export function encodeBigInt(v: bigint): Uint8Array {
  const out = new Uint8Array(splitBigInt(v));
  writeSplitBigInt(out, 0);
  return out;
}

/** Decoding reads the magnitude 48 bits (6 bytes) at a time. */
const LIMB_BYTES = 6;
const LIMB_BITS = 48n;

/** Maximum byte length of a BigInt (ref-fvm `bigint_ser`: 128 bytes). */
export const MAX_BIGINT_BYTES = 128;

/**
 * Decodes the Filecoin BigInt byte form.
 *
 * @throws {@link TokenError} for a sign byte other than 0/1 or more than 128 bytes.
 */
export function decodeBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if (bytes.length > MAX_BIGINT_BYTES) throw new TokenError(`BigInt of ${bytes.length} bytes exceeds ${MAX_BIGINT_BYTES}`);
  const sign = bytes[0];
  if (sign !== 0 && sign !== 1) throw new TokenError(`invalid BigInt sign byte ${sign}`);
  // The magnitude in 48-bit limbs, the shortest one first (leading zero bytes are accepted).
  const len = bytes.length;
  let first = (len - 1) % LIMB_BYTES;
  if (first === 0 && len > 1) first = LIMB_BYTES;
  let i = 1;
  let head = 0;
  for (; i <= first; i++) head = head * 256 + bytes[i]!;
  let v = BigInt(head);
  for (; i < len; i += LIMB_BYTES) {
    let limb = 0;
    for (let j = i; j < i + LIMB_BYTES; j++) limb = limb * 256 + bytes[j]!;
    v = (v << LIMB_BITS) | BigInt(limb);
  }
  return sign === 1 ? -v : v;
}

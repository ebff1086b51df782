import { blake2b } from '@noble/hashes/blake2.js';
import { FvmSimError } from '../errors/base.js';

/** Thrown for names FRC-0042 forbids. */
export class MethodNameError extends FvmSimError {
  constructor(message: string) {
    super('METHOD_NAME', message);
  }
}

/** The smallest FRC-0042 method number: lower numbers are reserved for built-in methods. */
export const FIRST_EXPORTED_METHOD = 1 << 24;

const cache = new Map<string, number>();

/**
 * The FRC-0042 method number of `name`: blake2b-512 of `"1|" + name`, read as 4-byte big-endian
 * chunks, the first one ≥ 2^24. `"Constructor"` is 1 by convention.
 *
 * @example
 * ```ts
 * methodNumber('AuthenticateMessage') // 2643134072
 * ```
 * @throws {@link MethodNameError} for names FRC-0042 rejects (must match `[A-Z][A-Za-z0-9_]*`).
 */
export function methodNumber(name: string): number {
  if (name === 'Constructor') return 1;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  if (name.length === 0) throw new MethodNameError('method name is empty');
  if (!/^[A-Z]/.test(name)) throw new MethodNameError(`method name '${name}' must start with an upper-case ASCII letter (FRC-0042)`);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new MethodNameError(`method name '${name}' may only contain A-Z, a-z, 0-9 and _ (FRC-0042)`);
  const digest = blake2b(new TextEncoder().encode(`1|${name}`), { dkLen: 64 });
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  for (let i = 0; i < 64; i += 4) {
    const n = view.getUint32(i);
    if (n >= FIRST_EXPORTED_METHOD) {
      cache.set(name, n);
      return n;
    }
  }
  throw new MethodNameError(`no method number ≥ 2^24 in the digest of '${name}'`);
}

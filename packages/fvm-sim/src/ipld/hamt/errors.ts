import { FvmSimError } from '../../errors/base.js';

/**
 * What went wrong in a {@link HamtError}:
 *
 * - `HAMT_BITWIDTH`: the bitwidth is not an integer in 1..8.
 * - `HAMT_MALFORMED`: a block that should be a HAMT node does not have the go-hamt-ipld v3 /
 *   `fvm_ipld_hamt` shape (wrong tuple shape, bitfield and pointer count disagree, bad bucket,
 *   link that is not dag-cbor, non-canonical child node…).
 * - `HAMT_MAX_DEPTH`: a key's hash has no bits left for the next level (more than `bucket size`
 *   keys whose hashes collide on every bit; impossible with sha256 in practice).
 * - `HAMT_VALUE`: `undefined` was given as a value (it has no dag-cbor form).
 */
export type HamtErrorCode = 'HAMT_BITWIDTH' | 'HAMT_MALFORMED' | 'HAMT_MAX_DEPTH' | 'HAMT_VALUE';

/** Thrown for invalid HAMT parameters, malformed HAMT blocks, and hash exhaustion. */
export class HamtError extends FvmSimError {
  declare readonly code: HamtErrorCode;

  constructor(code: HamtErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
